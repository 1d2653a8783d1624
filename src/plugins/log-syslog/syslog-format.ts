// Syslog message formatting: facilities, severities, RFC 5424 lines, and fitting JSON records into a size limit.
import type { LogLevel } from '../../kernel/logger.js';

export const FACILITIES: Readonly<Record<string, number>> = {
  kern: 0, user: 1, mail: 2, daemon: 3, auth: 4, syslog: 5, lpr: 6, news: 7, uucp: 8, cron: 9, authpriv: 10, ftp: 11,
  local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23,
};

/** RFC 5424 severities of the server's log levels; statements are informational. */
export const SEVERITY: Readonly<Record<LogLevel, number>> = { error: 3, warn: 4, info: 6, debug: 7 };
export const STATEMENT_SEVERITY = 6;

/** Our SD-ID's enterprise number: 32473 is the one RFC 5612 reserves for documentation and examples, since mizzle has none of its own. */
export const SD_ID = 'mizzle@32473';

export interface Rfc5424Header {
  facility: number;
  severity: number;
  time: Date;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
}

/** PRINTUSASCII without spaces, at most `max` characters, '-' when empty (RFC 5424 section 6.2). */
export function headerField(value: string, max: number): string {
  const cleaned = value.replace(/[^\x21-\x7e]/g, '').slice(0, max);
  return cleaned === '' ? '-' : cleaned;
}

/** A PARAM-VALUE with '"', '\' and ']' escaped as RFC 5424 section 6.3.3 requires. */
function paramValue(v: string): string {
  return v.replace(/[\\"\]]/g, (c) => '\\' + c);
}

/** One SD-ELEMENT, or '-' when there are no parameters. */
export function structuredData(params: Record<string, string | number | undefined>): string {
  const parts = Object.entries(params).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}="${paramValue(String(v))}"`);
  return parts.length === 0 ? '-' : `[${SD_ID} ${parts.join(' ')}]`;
}

/** `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA MSG` */
export function rfc5424(h: Rfc5424Header, sd: string, msg: string): string {
  const pri = h.facility * 8 + h.severity;
  return `<${pri}>1 ${h.time.toISOString()} ${headerField(h.hostname, 255)} ${headerField(h.appName, 48)} ${headerField(h.procId, 128)} ${headerField(h.msgId, 32)} ${sd} ${msg}`;
}

/** A server message's text as the stderr logger writes it, on one line: `msg key=value ...`. */
export function serverMessageText(msg: string, fields: Record<string, unknown> | undefined): string {
  const extra = fields ? Object.entries(fields).map(([k, v]) => ` ${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join('') : '';
  return oneLine(msg + extra);
}

export function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ');
}

/**
 * The record as JSON in at most `maxBytes` bytes: an over-long statement text (or digest) is cut and
 * `truncated: true` added, so the message stays valid JSON rather than being cut by the transport.
 */
export function fitJson(record: Record<string, string | number | null | boolean>, maxBytes: number): string {
  let json = JSON.stringify(record);
  let excess = Buffer.byteLength(json) - maxBytes;
  const key = 'text' in record ? 'text' : 'digest';
  for (let tries = 0; excess > 0 && tries < 4; tries++) {
    const value = String(record[key] ?? '');
    // Characters may be several bytes and escapes grow them: cut in proportion, with a margin, then check again.
    const valueBytes = Buffer.byteLength(JSON.stringify(value));
    const targetBytes = Math.max(0, valueBytes - excess - 32 * (tries + 1));
    const keepChars = Math.floor((value.length * targetBytes) / valueBytes);
    record = { ...record, [key]: value.slice(0, keepChars), truncated: true };
    json = JSON.stringify(record);
    excess = Buffer.byteLength(json) - maxBytes;
  }
  return json;
}
