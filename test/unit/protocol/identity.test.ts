import { describe, expect, it } from 'vitest';
import { x25519 } from '@noble/curves/ed25519.js';
import {
  fingerprint,
  generateIdentity,
  identityPublicToDh,
  parseIdentity,
  parsePublicIdentity,
  serializeIdentity,
  serializePublicIdentity,
} from '../../../lib/protocol/index.ts';
import { seededRng } from './helpers.ts';

describe('identity', () => {
  const a = generateIdentity(seededRng('id-a'));
  const b = generateIdentity(seededRng('id-b'));

  it('converts Ed25519 to X25519 consistently (both sides get the same DH)', () => {
    const bDh = identityPublicToDh(b.publicKey);
    const aDh = identityPublicToDh(a.publicKey);
    expect(bDh).toEqual(b.dhPublicKey);
    expect(x25519.getSharedSecret(a.dhSecretKey, bDh as Uint8Array)).toEqual(x25519.getSharedSecret(b.dhSecretKey, aDh as Uint8Array));
    expect(x25519.getPublicKey(a.dhSecretKey)).toEqual(a.dhPublicKey);
  });

  it('rejects invalid and small-order identity keys', () => {
    expect(identityPublicToDh(new Uint8Array(31))).toBeNull();
    const identityPoint = new Uint8Array(32);
    identityPoint[0] = 1; // the neutral element (0, 1): small order
    expect(identityPublicToDh(identityPoint)).toBeNull();
    const notOnCurve = new Uint8Array(32).fill(0xff);
    expect(identityPublicToDh(notOnCurve)).toBeNull();
  });

  it('fingerprints as 10 groups of 4 hex digits, distinct per key', () => {
    expect(fingerprint(a.publicKey)).toMatch(/^([0-9a-f]{4} ){9}[0-9a-f]{4}$/);
    expect(fingerprint(a.publicKey)).not.toBe(fingerprint(b.publicKey));
  });

  it('serializes to JSON and parses back', () => {
    const json = JSON.parse(JSON.stringify(serializeIdentity(a))) as unknown;
    const p = parseIdentity(json);
    expect(p.ok && p.value.publicKey).toEqual(a.publicKey);
    expect(p.ok && p.value.dhSecretKey).toEqual(a.dhSecretKey);
    const pub = parsePublicIdentity(JSON.parse(JSON.stringify(serializePublicIdentity(a.publicKey))));
    expect(pub.ok && pub.value).toEqual(a.publicKey);
  });

  it('returns each typed error', () => {
    const s = serializeIdentity(a);
    const code = (x: unknown) => {
      const r = parseIdentity(x);
      return r.ok ? 'ok' : r.error.code;
    };
    expect(code(null)).toBe('not-an-object');
    expect(code([])).toBe('not-an-object');
    expect(code({ ...s, v: 2 })).toBe('unsupported-version');
    expect(code({ ...s, kind: 'other' })).toBe('wrong-kind');
    expect(code({ ...s, secretKey: 'zz' })).toBe('bad-secret-key');
    expect(code({ ...s, secretKey: s.secretKey.toUpperCase() })).toBe('bad-secret-key');
    expect(code({ ...s, publicKey: 12 })).toBe('bad-public-key');
    expect(code({ ...s, publicKey: serializeIdentity(b).publicKey })).toBe('key-mismatch');
    const pcode = (x: unknown) => {
      const r = parsePublicIdentity(x);
      return r.ok ? 'ok' : r.error.code;
    };
    expect(pcode({ v: 1, kind: 'veil-public-identity', publicKey: 'ff'.repeat(32) })).toBe('bad-public-key');
    expect(pcode({ v: 1, kind: 'veil-identity', publicKey: s.publicKey })).toBe('wrong-kind');
  });
});
