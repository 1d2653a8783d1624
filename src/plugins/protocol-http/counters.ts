// Counts what the HTTP protocol did and refused, for SHOW STATUS and its /v1/status answer (summed over worker threads).

/** Named counters of the HTTP protocol; plain numbers, read as a list. */
export class HttpCounters {
  requests = 0;
  statements = 0;
  errors = 0;
  authRefused = 0;
  /** Requests refused by a limit: body size, rows, batch length, concurrent requests or sessions. */
  limitRefused = 0;
  /** Requests whose headers or body came too slowly (408). */
  timedOut = 0;
  /** Malformed requests: not HTTP, not JSON, wrong field types. */
  malformed = 0;
  /** Connections that finished a TLS handshake (HTTPS). */
  tlsConnections = 0;
  sessionsOpened = 0;
  /** Requests for a session another worker thread holds, handed to it. */
  relayed = 0;
  sessionsExpired = 0;

  /** Every counter by its status name, with `openSessions` as a gauge. */
  list(openSessions: number, inFlight: number): [string, number][] {
    return [
      ['Http_requests', this.requests],
      ['Http_statements', this.statements],
      ['Http_errors', this.errors],
      ['Http_auth_refused', this.authRefused],
      ['Http_limit_refused', this.limitRefused],
      ['Http_timed_out', this.timedOut],
      ['Http_malformed', this.malformed],
      ['Http_tls_connections', this.tlsConnections],
      ['Http_sessions_opened', this.sessionsOpened],
      ['Http_sessions_expired', this.sessionsExpired],
      ['Http_requests_relayed', this.relayed],
      ['Http_sessions_open', openSessions],
      ['Http_requests_running', inFlight],
    ];
  }
}
