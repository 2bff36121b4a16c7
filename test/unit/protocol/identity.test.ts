import { describe, expect, it } from 'vitest';
import { ED25519_TORSION_SUBGROUP, ed25519, x25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
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

  it('gives exactly noble\'s Ed25519 -> X25519 conversion and validity, for random, torsion and non-canonical keys', () => {
    const reference = (pk: Uint8Array): Uint8Array | null => {
      try {
        if (!ed25519.utils.isValidPublicKey(pk)) return null;
        const point = ed25519.Point.fromBytes(pk);
        return point.isSmallOrder() ? null : ed25519.utils.toMontgomery(pk);
      } catch {
        return null;
      }
    };
    const keys: Uint8Array[] = [];
    for (let i = 0; i < 200; i++) keys.push(generateIdentity(seededRng(`conv-${i}`)).publicKey);
    for (const t of ED25519_TORSION_SUBGROUP) keys.push(hexToBytes(t));
    // y = p + small values: non-canonical encodings of small y (strict decoding refuses them).
    for (const low of [0, 1, 2, 3, 4, 17]) {
      const k = new Uint8Array(32).fill(0xff);
      k[0] = 0xed + low;
      k[31] = 0x7f;
      keys.push(k);
    }
    for (let i = 0; i < 100; i++) keys.push(seededRng(`random-bytes-${i}`)(32));
    let valid = 0;
    for (const k of keys) {
      const got = identityPublicToDh(k);
      expect(got, bytesToHex(k)).toEqual(reference(k));
      expect(identityPublicToDh(k), 'a second (cached) conversion agrees').toEqual(got);
      if (got !== null) valid++;
    }
    expect(valid).toBeGreaterThan(200);
  });

  it('hands out copies: a caller that changes its result does not change the next one', () => {
    const first = identityPublicToDh(a.publicKey) as Uint8Array;
    first.fill(0);
    expect(identityPublicToDh(a.publicKey)).toEqual(a.dhPublicKey);
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
