/**
 * `duowatch/duo`: the Duo wire client's public door (docs/duo-client.md). Signing, transport safety, errors, retry and
 * limits, paging and typed endpoints; the wire schemas are shared with the emulator.
 */
export * from './sign/index.js';
export * from './errors/index.js';
export * from './wire/index.js';
export * from './transport/index.js';
export * from './paging/index.js';
export * from './endpoints/index.js';
export * from './client/index.js';
