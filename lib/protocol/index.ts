// Public API of the Veil protocol core.
export type { Rng } from './primitives.ts';
export * from './constants.ts';
export * from './identity.ts';
export * from './wire.ts';
export * from './padding.ts';
export * from './ratchet.ts';
export * from './handshake.ts';
export * from './prekey.ts';
export * from './conversation.ts';
export * from './serialize.ts';
export * from './safety-number.ts';
export * from './sas.ts';
export * from './media-keys.ts';
