// host:port text, with IPv6 literals in brackets, read into its parts and written back: one reader for every option that names a server.

export interface HostPort {
  host: string;
  port: number;
}

/** 'db1:4406' or '[::1]:4406' (surrounding space ignored); undefined when it is not host:port with a port of 1..65535. */
export function readHostPort(text: string): HostPort | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : 0;
  if (!m || port < 1 || port > 65535) return undefined;
  return { host: m[1] ?? m[2], port };
}

/** The address as host:port, an IPv6 literal in brackets. */
export function hostPortText(a: HostPort): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/** A URL's host as a socket wants it: an IPv6 literal without the brackets the URL writes it in. */
export function urlHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}
