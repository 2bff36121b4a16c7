import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeTrailer, encodeTrailer, frameNonce, MAX_COUNTER } from '../../../lib/media/frame-format.ts';
import { encryptFrame } from '../../../lib/media/frame-crypto.ts';
import { rulesFor } from '../../../lib/media/codecs/index.ts';
import { MediaKeyRing } from '../../../lib/media/key-ring.ts';
import { key } from './helpers.ts';
import { opusFrame } from './frames.ts';

describe('trailer', () => {
  it('round-trips counter and key id with minimal lengths and a non-zero last byte', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_COUNTER }), fc.integer({ min: 0, max: MAX_COUNTER }), (counter, keyId) => {
        const t = encodeTrailer({ counter, keyId });
        expect(t[t.length - 1]! & 0x80).toBe(0x80);
        const d = decodeTrailer(new Uint8Array([9, 9, ...t]));
        expect(d.ok).toBe(true);
        if (d.ok) {
          expect(d.value.counter).toBe(counter);
          expect(d.value.keyId).toBe(keyId);
          expect(d.value.length).toBe(t.length);
        }
      }),
    );
  });

  it('documents the byte layout: CTR, KID, CFG', () => {
    expect([...encodeTrailer({ counter: 0x0102, keyId: 5 })]).toEqual([0x01, 0x02, 0x05, 0x80 | (1 << 3) | 0]);
  });

  it('rejects bad config bytes, 8-byte fields, non-minimal encodings and truncation', () => {
    expect(decodeTrailer(new Uint8Array([])).ok).toBe(false);
    expect(decodeTrailer(new Uint8Array([0x00]))).toMatchObject({ ok: false, error: { code: 'bad-trailer' } });
    expect(decodeTrailer(new Uint8Array([1, 1, 0xc0]))).toMatchObject({ ok: false, error: { code: 'bad-trailer' } });
    expect(decodeTrailer(new Uint8Array(9).fill(1).map((v, i) => (i === 8 ? 0x80 | (7 << 3) : v)))).toMatchObject({ ok: false, error: { code: 'bad-trailer' } });
    expect(decodeTrailer(new Uint8Array([0x00, 0x05, 0x07, 0x80 | (1 << 3)]))).toMatchObject({ ok: false, error: { code: 'bad-trailer' } });
    expect(decodeTrailer(new Uint8Array([0x05, 0x80 | (1 << 3)]))).toMatchObject({ ok: false, error: { code: 'truncated' } });
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 20 }), (b) => {
      const r = decodeTrailer(b);
      expect(typeof r.ok).toBe('boolean');
    }));
  });
});

describe('nonce', () => {
  it('is salt XOR counter', () => {
    const salt = new Uint8Array(12).fill(0xff);
    expect([...frameNonce(salt, 0x0102)]).toEqual([...new Uint8Array(10).fill(0xff), 0xfe, 0xfd]);
  });

  it('distinct counters give distinct nonces (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 12, maxLength: 12 }), fc.integer({ min: 0, max: MAX_COUNTER }), fc.integer({ min: 0, max: MAX_COUNTER }), (salt, a, b) => {
        fc.pre(a !== b);
        expect(Buffer.from(frameNonce(salt, a)).equals(Buffer.from(frameNonce(salt, b)))).toBe(false);
      }),
    );
  });

  it('a key ring never hands out the same counter twice, across any interleaving of tracks and rotations', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('audio', 'video', 'rotate'), { minLength: 1, maxLength: 300 }), (ops) => {
        const ring = new MediaKeyRing();
        let epoch = 0;
        ring.setSendKey(epoch, key(epoch));
        const seen = new Set<string>();
        for (const op of ops) {
          if (op === 'rotate') {
            epoch++;
            expect(ring.setSendKey(epoch, key(epoch)).ok).toBe(true);
            continue;
          }
          const r = encryptFrame(ring, rulesFor('opus'), opusFrame(op === 'audio' ? 40 : 60));
          expect(r.ok).toBe(true);
          if (!r.ok) return;
          const id = `${r.value.epoch}/${r.value.counter}`;
          expect(seen.has(id)).toBe(false);
          seen.add(id);
        }
      }),
    );
  });

  it('refuses to reuse or go back to a send epoch, and stops at the counter limit', () => {
    const ring = new MediaKeyRing({ maxCounter: 2 });
    expect(ring.setSendKey(3, key(3)).ok).toBe(true);
    expect(ring.setSendKey(3, key(4))).toMatchObject({ ok: false, error: { code: 'epoch-conflict' } });
    expect(ring.setSendKey(2, key(2))).toMatchObject({ ok: false, error: { code: 'stale-epoch' } });
    for (let i = 0; i < 3; i++) expect(encryptFrame(ring, rulesFor('opus'), opusFrame(10)).ok).toBe(true);
    expect(encryptFrame(ring, rulesFor('opus'), opusFrame(10))).toMatchObject({ ok: false, error: { code: 'counter-exhausted' } });
  });
});
