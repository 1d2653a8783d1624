// The own-schema authorizer: each user has the schema named like them, information_schema to read, and nothing else.
import type { AccessRequest, Authorizer } from '../../kernel/plugin.js';

/** Read-only access everyone has to information_schema (its rows are metadata, as in MySQL). */
const READS = new Set(['USAGE', 'SELECT']);

export class OwnSchemaAuthorizer implements Authorizer {
  private readonly admins: ReadonlySet<string>;

  constructor(admins: Iterable<string>) {
    this.admins = new Set(admins);
  }

  authorize(req: AccessRequest): boolean {
    if (this.admins.has(req.user)) return true;
    switch (req.object) {
      case 'schema':
      case 'table':
        // Names compare exactly, as schema names do (lower_case_table_names=0): `Alice` is not `alice`.
        if (req.name === req.user) return true;
        return req.name.toLowerCase() === 'information_schema' && READS.has(req.action);
      case 'process':
        // Other users' sessions are for admins only.
        return false;
      default:
        return false;
    }
  }
}

/** `admin_users`: a comma list; blanks around names and empty entries are ignored. */
export function parseAdminList(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter((s) => s !== '');
}
