// A user's transport requirement in the users file, as MySQL's CREATE USER ... REQUIRE: NONE, SSL, X509, SUBJECT '...' AND ISSUER '...'.
import type { TransportInfo } from '../../kernel/plugin.js';

/**
 * `none`: any connection; `ssl`: TLS; `x509`: TLS with a client certificate that verified
 * against the server's CA, and, when given, exactly this subject and/or issuer.
 */
export type TlsRequirement =
  | { kind: 'none' }
  | { kind: 'ssl' }
  | { kind: 'x509'; subject?: string; issuer?: string };

export class RequirementFormatError extends Error {}

/** A requirement text is short; a longer one is a mistake, not a name. */
const REQUIREMENT_LENGTH_MAX = 4096;

/**
 * Parses what follows REQUIRE: `NONE`, `SSL`, `X509`, or SUBJECT / ISSUER with a quoted
 * string ('...' or "...", a quote doubled inside), joined by an optional AND. Keywords in any case.
 */
export function parseTlsRequirement(text: string): TlsRequirement {
  if (text.length > REQUIREMENT_LENGTH_MAX) throw new RequirementFormatError(`REQUIRE is longer than ${REQUIREMENT_LENGTH_MAX} characters`);
  const words = tokens(text);
  if (words.length === 0) throw new RequirementFormatError('REQUIRE needs NONE, SSL, X509, SUBJECT or ISSUER');
  const first = words[0];
  if (words.length === 1 && !first.quoted) {
    const k = first.text.toUpperCase();
    if (k === 'NONE') return { kind: 'none' };
    if (k === 'SSL') return { kind: 'ssl' };
    if (k === 'X509') return { kind: 'x509' };
  }
  const req: { kind: 'x509'; subject?: string; issuer?: string } = { kind: 'x509' };
  for (let i = 0; i < words.length; ) {
    const w = words[i];
    const k = w.quoted ? '' : w.text.toUpperCase();
    if (i > 0 && k === 'AND') {
      i++;
      continue;
    }
    if (k !== 'SUBJECT' && k !== 'ISSUER') {
      throw new RequirementFormatError(`REQUIRE: expected NONE, SSL, X509, or SUBJECT '...' / ISSUER '...', not ${w.quoted ? 'a quoted string' : `'${w.text}'`}${k === 'CIPHER' ? ' (CIPHER is not supported)' : ''}`);
    }
    const value = words[i + 1];
    if (value === undefined || !value.quoted) throw new RequirementFormatError(`REQUIRE ${k} needs a quoted name, as '/C=SE/O=Example/CN=client'`);
    const field = k === 'SUBJECT' ? 'subject' : 'issuer';
    if (req[field] !== undefined) throw new RequirementFormatError(`REQUIRE ${k} is given twice`);
    req[field] = value.text;
    i += 2;
  }
  return req;
}

interface Token {
  text: string;
  quoted: boolean;
}

function tokens(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === "'" || c === '"') {
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= text.length) throw new RequirementFormatError(`REQUIRE: a quoted name is not closed (${c})`);
        if (text[j] === c) {
          if (text[j + 1] === c) {
            value += c;
            j += 2;
            continue;
          }
          break;
        }
        value += text[j++];
      }
      out.push({ text: value, quoted: true });
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < text.length && text[j] !== ' ' && text[j] !== '\t' && text[j] !== "'" && text[j] !== '"') j++;
    out.push({ text: text.slice(i, j), quoted: false });
    i = j;
  }
  return out;
}

/** Why the connection does not meet the requirement (for the server log, never the client), or undefined when it does. */
export function requirementFailure(req: TlsRequirement, transport: TransportInfo): string | undefined {
  if (req.kind === 'none') return undefined;
  if (!transport.tls) return `requires ${req.kind === 'ssl' ? 'SSL' : 'X509'}: the connection is not TLS`;
  if (req.kind === 'ssl') return undefined;
  const cert = transport.peerCertificate;
  if (cert === undefined) return 'requires X509: no client certificate that verifies against the server CA (ssl_ca) was shown';
  if (req.subject !== undefined && cert.subject !== req.subject) return `requires SUBJECT '${req.subject}': the certificate's subject is '${cert.subject}'`;
  if (req.issuer !== undefined && cert.issuer !== req.issuer) return `requires ISSUER '${req.issuer}': the certificate's issuer is '${cert.issuer}'`;
  return undefined;
}
