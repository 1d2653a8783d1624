// The native wire format (mizzle's own protocol), for servers and clients alike: frames, messages, cells; specified in docs/protocol.md.
export * from './constants.js';
export * from './wire-writer.js';
export * from './wire-reader.js';
export * from './frame.js';
export * from './cells.js';
export * from './messages.js';
export * from './client-end.js';
