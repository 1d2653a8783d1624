// The MySQL wire format, for servers and clients alike: constants, framing, codecs, packets, auth methods, the client end.
export * from './constants.js';
export * from './payload-reader.js';
export * from './packet-writer.js';
export * from './framer.js';
export * from './responses.js';
export * from './handshake.js';
export * from './column-definition.js';
export * from './text-resultset.js';
export * from './auth-methods.js';
export * from './binary-temporal.js';
export * from './binary-params.js';
export * from './binary-resultset.js';
export * from './prepared-packets.js';
export * from './command-packets.js';
export * from './client-channel.js';
export * from './client-end.js';
