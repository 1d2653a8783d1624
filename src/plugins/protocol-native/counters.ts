// Counts what the native protocol did and refused, for SHOW STATUS (summed over worker threads).

/** Named counters of the native protocol; plain numbers, read as a list. */
export class NativeCounters {
  connections = 0;
  /** Connections that finished a TLS handshake. */
  tlsConnections = 0;
  requests = 0;
  errors = 0;
  redirects = 0;
  authRefused = 0;
  /** Requests over the in-flight bound of their connection. */
  limitRefused = 0;
  /** Handshakes or frames that did not arrive in time (slowloris). */
  timedOut = 0;
  /** Frames that broke the protocol: wrong magic or version, oversized, unreadable payloads, unknown types. */
  malformed = 0;
  bytesReceived = 0;
  bytesSent = 0;
  /** Replicas that asked to follow the change log (REPLICATE). */
  replicaStreams = 0;

  list(): [string, number][] {
    return [
      ['Native_connections', this.connections],
      ['Native_tls_connections', this.tlsConnections],
      ['Native_requests', this.requests],
      ['Native_errors', this.errors],
      ['Native_redirects', this.redirects],
      ['Native_auth_refused', this.authRefused],
      ['Native_limit_refused', this.limitRefused],
      ['Native_timed_out', this.timedOut],
      ['Native_malformed', this.malformed],
      ['Native_bytes_received', this.bytesReceived],
      ['Native_bytes_sent', this.bytesSent],
      ['Native_replica_streams', this.replicaStreams],
    ];
  }
}
