// Tab completion for the console: SQL keywords, and the databases, tables and columns the server has (read again after USE or DDL).

const KEYWORDS = (
  'ADD ALTER AND AS ASC AUTO_INCREMENT BEGIN BETWEEN BIGINT BLOB BY CASE CHAR CHECK COLUMN COLUMNS COMMIT CONSTRAINT COUNT CREATE CROSS ' +
  'DATABASE DATABASES DATE DATETIME DECIMAL DEFAULT DELETE DESC DESCRIBE DISTINCT DOUBLE DROP ELSE END ENGINE EXISTS EXPLAIN FALSE FLOAT ' +
  'FOREIGN FROM FULL FUNCTION GRANT GROUP HAVING IF IGNORE IN INDEX INNER INSERT INT INTEGER INTO IS JOIN JSON KEY KILL LEFT LIKE LIMIT LOCK ' +
  'NOT NULL OFFSET ON OR ORDER OUTER PRIMARY PROCESSLIST QUERY REFERENCES RENAME REPLACE RIGHT ROLLBACK SELECT SET SHOW SMALLINT STATUS ' +
  'TABLE TABLES TEXT THEN TIME TIMESTAMP TINYINT TRANSACTION TRIGGER TRUNCATE TRUE UNION UNIQUE UNLOCK UPDATE USE USING VALUES VARCHAR ' +
  'VARIABLES VIEW WARNINGS WHEN WHERE WITH'
).split(' ');

/** Loads the names to complete (databases, the current database's tables and columns). */
export type NameLoader = () => Promise<string[]>;

export class Completer {
  private names: string[] = [];
  private stale = true;

  constructor(private readonly load: NameLoader) {}

  /** The names are read again before the next completion (after USE, CREATE, DROP…). */
  invalidate(): void {
    this.stale = true;
  }

  /** readline's answer for `line`: the candidates for its last word, and that word. */
  async complete(line: string): Promise<[string[], string]> {
    const word = /[\w$]*$/.exec(line)?.[0] ?? '';
    if (word === '') return [[], word];
    if (this.stale) {
      this.names = await this.load().catch(() => []);
      this.stale = false;
    }
    const lower = word.toLowerCase();
    // Keywords follow the case the user types in.
    const upper = word !== lower;
    const keywords = KEYWORDS.filter((k) => k.toLowerCase().startsWith(lower)).map((k) => (upper ? k : k.toLowerCase()));
    const names = this.names.filter((n) => n.toLowerCase().startsWith(lower));
    return [[...new Set([...names, ...keywords])].sort(), word];
  }
}
