// MySQL 8's static privileges (name, the objects they apply to, what they allow): SHOW PRIVILEGES lists them, information_schema.USER_PRIVILEGES grants them.

export interface PrivilegeInfo {
  /** As SHOW PRIVILEGES spells it ("Create view"); upper-cased it is the GRANT name. */
  name: string;
  context: string;
  comment: string;
}

export const STATIC_PRIVILEGES: readonly PrivilegeInfo[] = [
  { name: 'Alter', context: 'Tables', comment: 'To alter the table' },
  { name: 'Alter routine', context: 'Functions,Procedures', comment: 'To alter or drop stored functions/procedures' },
  { name: 'Create', context: 'Databases,Tables,Indexes', comment: 'To create new databases and tables' },
  { name: 'Create routine', context: 'Databases', comment: 'To use CREATE FUNCTION/PROCEDURE' },
  { name: 'Create role', context: 'Server Admin', comment: 'To create new roles' },
  { name: 'Create temporary tables', context: 'Databases', comment: 'To use CREATE TEMPORARY TABLE' },
  { name: 'Create view', context: 'Tables', comment: 'To create new views' },
  { name: 'Create user', context: 'Server Admin', comment: 'To create new users' },
  { name: 'Delete', context: 'Tables', comment: 'To delete existing rows' },
  { name: 'Drop', context: 'Databases,Tables', comment: 'To drop databases, tables, and views' },
  { name: 'Drop role', context: 'Server Admin', comment: 'To drop roles' },
  { name: 'Event', context: 'Server Admin', comment: 'To create, alter, drop and execute events' },
  { name: 'Execute', context: 'Functions,Procedures', comment: 'To execute stored routines' },
  { name: 'File', context: 'File access on server', comment: 'To read and write files on the server' },
  { name: 'Grant option', context: 'Databases,Tables,Functions,Procedures', comment: 'To give to other users those privileges you possess' },
  { name: 'Index', context: 'Tables', comment: 'To create or drop indexes' },
  { name: 'Insert', context: 'Tables', comment: 'To insert data into tables' },
  { name: 'Lock tables', context: 'Databases', comment: 'To use LOCK TABLES (together with SELECT privilege)' },
  { name: 'Process', context: 'Server Admin', comment: 'To view the plain text of currently executing queries' },
  { name: 'Proxy', context: 'Server Admin', comment: 'To make proxy user possible' },
  { name: 'References', context: 'Databases,Tables', comment: 'To have references on tables' },
  { name: 'Reload', context: 'Server Admin', comment: 'To reload or refresh tables, logs and privileges' },
  { name: 'Replication client', context: 'Server Admin', comment: 'To ask where the slave or master servers are' },
  { name: 'Replication slave', context: 'Server Admin', comment: 'To read binary log events from the master' },
  { name: 'Select', context: 'Tables', comment: 'To retrieve rows from table' },
  { name: 'Show databases', context: 'Server Admin', comment: 'To see all databases with SHOW DATABASES' },
  { name: 'Show view', context: 'Tables', comment: 'To see views with SHOW CREATE VIEW' },
  { name: 'Shutdown', context: 'Server Admin', comment: 'To shut down the server' },
  { name: 'Super', context: 'Server Admin', comment: 'To use KILL thread, SET GLOBAL, CHANGE MASTER, etc.' },
  { name: 'Trigger', context: 'Tables', comment: 'To use triggers' },
  { name: 'Create tablespace', context: 'Server Admin', comment: 'To create/alter/drop tablespaces' },
  { name: 'Update', context: 'Tables', comment: 'To update existing rows' },
  { name: 'Usage', context: 'Server Admin', comment: 'No privileges - allow connect only' },
];

/** The privileges ALL PRIVILEGES stands for at the global level (USER_PRIVILEGES' rows): all but USAGE, GRANT OPTION and PROXY. */
export const GLOBAL_PRIVILEGE_TYPES: readonly string[] = STATIC_PRIVILEGES.map((p) => p.name.toUpperCase()).filter((n) => n !== 'USAGE' && n !== 'GRANT OPTION' && n !== 'PROXY');
