import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { x25519 } from '@noble/curves/ed25519.js';
import {
  decodeWireMessage,
  encodeRatchetHeader,
  initRatchetReceiver,
  initRatchetSender,
  kdfCk,
  MAX_COUNTER,
  MAX_SKIP,
  MAX_STORED_SKIPPED_KEYS,
  ratchetDecrypt,
  ratchetEncrypt,
  SKIPPED_KEY_TTL_MS,
  type RatchetState,
  type Rng,
} from '../../../lib/protocol/index.ts';
import { seededRng } from './helpers.ts';

const AD = Uint8Array.of(1, 2, 3);
const te = new TextEncoder();
const td = new TextDecoder();

function pair(seed: string): { a: RatchetState; b: RatchetState; rng: Rng } {
  const rng = seededRng(seed);
  const sk = rng(32);
  const bobSecret = rng(32);
  const b = initRatchetReceiver(sk, { secretKey: bobSecret, publicKey: x25519.getPublicKey(bobSecret) });
  const a = initRatchetSender(sk, x25519.getPublicKey(bobSecret), rng);
  if (!a.ok) throw new Error('init');
  return { a: a.value, b, rng };
}

function enc(s: RatchetState, text: string): { state: RatchetState; wire: Uint8Array } {
  const r = ratchetEncrypt(s, { plaintext: te.encode(text), ad: AD, encodeHeader: encodeRatchetHeader });
  if (!r.ok) throw new Error(r.error.code);
  return { state: r.value.state, wire: r.value.wire };
}

function dec(s: RatchetState, wire: Uint8Array, rng: Rng, now = 0) {
  const d = decodeWireMessage(wire);
  if (!d.ok || d.value.type !== 'ratchet') return { ok: false as const, error: { code: 'malformed' as const } };
  return ratchetDecrypt(s, { header: d.value.header, headerBytes: d.value.headerBytes, ciphertext: d.value.ciphertext, ad: AD, now, rng });
}

describe('KDF chain', () => {
  it('follows Signal: mk = HMAC(ck, 0x01), ck\' = HMAC(ck, 0x02)', () => {
    const ck = new Uint8Array(32).fill(7);
    const r = kdfCk(ck);
    expect(r.mk).not.toEqual(r.ck);
    expect(kdfCk(ck)).toEqual(r);
  });
});

describe('double ratchet', () => {
  it('any order, duplication and loss decrypts each delivered message exactly once', () => {
    const round = fc.record({
      aSends: fc.integer({ min: 0, max: 4 }),
      bSends: fc.integer({ min: 0, max: 4 }),
      toB: fc.array(fc.nat(), { maxLength: 8 }),
      toA: fc.array(fc.nat(), { maxLength: 8 }),
    });
    fc.assert(
      fc.property(fc.array(round, { minLength: 1, maxLength: 6 }), fc.string(), (rounds, seed) => {
        const p0 = pair(`prop-${seed}`);
        const rng = p0.rng;
        let { a, b } = p0;
        const sentByA: Uint8Array[] = [];
        const sentByB: Uint8Array[] = [];
        const gotB = new Set<number>();
        const gotA = new Set<number>();
        for (const r of rounds) {
          for (let i = 0; i < r.aSends; i++) {
            const e = enc(a, `a${sentByA.length}`);
            a = e.state;
            sentByA.push(e.wire);
          }
          for (const pick of r.toB) {
            if (sentByA.length === 0) break;
            const idx = pick % sentByA.length;
            const res = dec(b, sentByA[idx] as Uint8Array, rng);
            if (gotB.has(idx)) {
              expect(res.ok ? 'ok' : res.error.code).toBe('duplicate');
            } else {
              expect(res.ok).toBe(true);
              if (res.ok) {
                expect(td.decode(res.value.plaintext)).toBe(`a${idx}`);
                b = res.value.state;
              }
              gotB.add(idx);
            }
          }
          for (let i = 0; i < r.bSends && b.cks !== null; i++) {
            const e = enc(b, `b${sentByB.length}`);
            b = e.state;
            sentByB.push(e.wire);
          }
          for (const pick of r.toA) {
            if (sentByB.length === 0) break;
            const idx = pick % sentByB.length;
            const res = dec(a, sentByB[idx] as Uint8Array, rng);
            if (gotA.has(idx)) {
              expect(res.ok ? 'ok' : res.error.code).toBe('duplicate');
            } else {
              expect(res.ok).toBe(true);
              if (res.ok) {
                expect(td.decode(res.value.plaintext)).toBe(`b${idx}`);
                a = res.value.state;
              }
              gotA.add(idx);
            }
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('rejects any bit flip, truncation or extension and leaves state unchanged', () => {
    const { a: a0, b: b0, rng } = pair('tamper');
    // Move Bob past his first message so both a DH step and an in-chain message are covered.
    const first = enc(a0, 'first');
    const b1 = dec(b0, first.wire, rng);
    if (!b1.ok) throw new Error('setup');
    const second = enc(first.state, 'second message');
    const b = b1.value.state;
    const before = JSON.stringify(b);
    const wire = second.wire;
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({ kind: fc.constant('flip' as const), pos: fc.nat({ max: wire.length * 8 - 1 }) }),
          fc.record({ kind: fc.constant('truncate' as const), pos: fc.integer({ min: 1, max: wire.length - 1 }) }),
          fc.record({ kind: fc.constant('extend' as const), extra: fc.uint8Array({ minLength: 1, maxLength: 40 }) }),
        ),
        (m) => {
          let bad: Uint8Array;
          if (m.kind === 'flip') {
            bad = Uint8Array.from(wire);
            bad[m.pos >> 3] = (bad[m.pos >> 3] as number) ^ (1 << (m.pos & 7));
          } else if (m.kind === 'truncate') {
            bad = wire.slice(0, m.pos);
          } else {
            bad = Uint8Array.from([...wire, ...m.extra]);
          }
          const res = dec(b, bad, rng);
          expect(res.ok).toBe(false);
          expect(JSON.stringify(b)).toBe(before);
        },
      ),
      { numRuns: 400 },
    );
    const good = dec(b, wire, rng);
    expect(good.ok && td.decode(good.value.plaintext)).toBe('second message');
  });

  it('detects replays and reports own messages', () => {
    const { a, b, rng } = pair('replay');
    const m = enc(a, 'hi');
    const r1 = dec(b, m.wire, rng);
    expect(r1.ok).toBe(true);
    if (!r1.ok) return;
    const again = dec(r1.value.state, m.wire, rng);
    expect(again.ok ? 'ok' : again.error.code).toBe('duplicate');
    const own = dec(m.state, m.wire, rng);
    expect(own.ok ? 'ok' : own.error.code).toBe('own-message');
    // After Bob answers and Alice ratchets, a late copy of an old-chain message is still a duplicate.
    const reply = enc(r1.value.state, 'yo');
    const a2 = dec(m.state, reply.wire, rng);
    if (!a2.ok) throw new Error('reply');
    const m2 = enc(a2.value.state, 'next');
    const b3 = dec(reply.state, m2.wire, rng);
    if (!b3.ok) throw new Error('next');
    const late = dec(b3.value.state, m.wire, rng);
    expect(late.ok ? 'ok' : late.error.code).toBe('duplicate');
  });

  it('refuses to send before receiving (receiver side)', () => {
    const { b } = pair('nosend');
    const r = ratchetEncrypt(b, { plaintext: te.encode('x'), ad: AD, encodeHeader: encodeRatchetHeader });
    expect(r.ok ? 'ok' : r.error.code).toBe('no-sending-chain');
  });

  it('refuses a sending counter past uint32', () => {
    const { a } = pair('counter');
    const r = ratchetEncrypt({ ...a, ns: MAX_COUNTER }, { plaintext: te.encode('x'), ad: AD, encodeHeader: encodeRatchetHeader });
    expect(r.ok ? 'ok' : r.error.code).toBe('counter-exhausted');
  });

  it('rejects a low-order ratchet key in a header', () => {
    const { a, b, rng } = pair('loworder');
    const m = enc(a, 'x');
    const r1 = dec(b, m.wire, rng);
    if (!r1.ok) throw new Error('setup');
    const bad = Uint8Array.from([...encodeRatchetHeader({ dh: new Uint8Array(32), pn: 0, n: 0 }), ...new Uint8Array(21)]);
    const r = dec(r1.value.state, bad, rng);
    expect(r.ok ? 'ok' : r.error.code).toBe('bad-ratchet-key');
  });

  it('enforces MAX_SKIP per chain step', () => {
    const p0 = pair('maxskip');
    const rng = p0.rng;
    let { a, b } = p0;
    const wires: Uint8Array[] = [];
    for (let i = 0; i <= MAX_SKIP + 1; i++) {
      const e = enc(a, `m${i}`);
      a = e.state;
      wires.push(e.wire);
    }
    const tooFar = dec(b, wires[MAX_SKIP + 1] as Uint8Array, rng);
    expect(tooFar.ok ? 'ok' : tooFar.error.code).toBe('too-many-skipped');
    const edge = dec(b, wires[MAX_SKIP] as Uint8Array, rng);
    expect(edge.ok).toBe(true);
    if (edge.ok) {
      expect(edge.value.state.skipped.length).toBe(MAX_SKIP);
      b = edge.value.state;
      const early = dec(b, wires[3] as Uint8Array, rng);
      expect(early.ok && td.decode(early.value.plaintext)).toBe('m3');
    }
  });

  it('caps stored skipped keys, dropping the oldest', () => {
    const p0 = pair('cap');
    const rng = p0.rng;
    let { a, b } = p0;
    const m0 = enc(a, 'zero');
    a = m0.state;
    const r0 = dec(b, m0.wire, rng);
    if (!r0.ok) throw new Error('setup');
    const filler = Array.from({ length: MAX_STORED_SKIPPED_KEYS }, (_, i) => ({ dh: 'ab'.repeat(32), n: i, mk: 'cd'.repeat(32), at: 0 }));
    b = { ...r0.value.state, skipped: filler };
    const skip5: Uint8Array[] = [];
    for (let i = 0; i < 6; i++) {
      const e = enc(a, `m${i}`);
      a = e.state;
      skip5.push(e.wire);
    }
    const r = dec(b, skip5[5] as Uint8Array, rng);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.state.skipped.length).toBe(MAX_STORED_SKIPPED_KEYS);
    expect(r.value.state.skipped[0]?.n).toBe(5); // filler 0..4 dropped
    const early = dec(r.value.state, skip5[0] as Uint8Array, rng);
    expect(early.ok).toBe(true);
  });

  it('expires skipped keys after the TTL (as duplicate, state unchanged)', () => {
    const p0 = pair('ttl');
    const rng = p0.rng;
    let { a, b } = p0;
    const w: Uint8Array[] = [];
    for (let i = 0; i < 3; i++) {
      const e = enc(a, `m${i}`);
      a = e.state;
      w.push(e.wire);
    }
    const r2 = dec(b, w[2] as Uint8Array, rng, 0);
    if (!r2.ok) throw new Error('setup');
    b = r2.value.state;
    const before = JSON.stringify(b);
    const late = dec(b, w[0] as Uint8Array, rng, SKIPPED_KEY_TTL_MS + 1);
    expect(late.ok ? 'ok' : late.error.code).toBe('duplicate');
    expect(JSON.stringify(b)).toBe(before);
    const inTime = dec(b, w[1] as Uint8Array, rng, SKIPPED_KEY_TTL_MS);
    expect(inTime.ok).toBe(true);
    if (inTime.ok) expect(inTime.value.state.skipped.length).toBe(1);
  });
});
