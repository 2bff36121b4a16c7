import { describe, expect, it } from 'vitest';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import fc from 'fast-check';
import { rulesFor } from '../../../lib/media/codecs/index.ts';
import { chachaAead, decryptFrame, decryptFrameAsync, encryptFrame, encryptFrameAsync, webCryptoAesGcm, type SubtleLike } from '../../../lib/media/frame-crypto.ts';
import { MediaKeyRing } from '../../../lib/media/key-ring.ts';
import { ReplayWindow } from '../../../lib/media/replay-window.ts';
import { encodeTrailer, frameNonce } from '../../../lib/media/frame-format.ts';
import { h264KeyFrame, opusFrame, pseudoRandom, vp8DeltaFrame, vp8KeyFrame } from './frames.ts';
import { key, pair } from './helpers.ts';

const vp8 = rulesFor('vp8');

describe('tampering and replay', () => {
  it('any single bit flip anywhere in the frame is rejected', () => {
    const { tx, rx } = pair();
    const e = encryptFrame(tx, vp8, vp8KeyFrame(300));
    expect(e.ok).toBe(true);
    if (!e.ok) return;
    const wire = e.value.data;
    for (let bit = 0; bit < wire.length * 8; bit++) {
      const t = wire.slice();
      t[bit >> 3]! ^= 1 << (bit & 7);
      expect(decryptFrame(rx, vp8, t).ok).toBe(false);
    }
    expect(decryptFrame(rx, vp8, wire).ok).toBe(true); // untouched frame still fine afterwards
  });

  it('bit flips in the clear H.264 bytes (SPS, slice header) are rejected too', () => {
    const { tx, rx } = pair();
    const e = encryptFrame(tx, rulesFor('h264'), h264KeyFrame(400));
    if (!e.ok) throw new Error('encrypt');
    for (const pos of [5, 8, 22, 30]) {
      const t = e.value.data.slice();
      t[pos]! ^= 0x10;
      expect(decryptFrame(rx, rulesFor('h264'), t).ok).toBe(false);
    }
  });

  it('every truncation is rejected', () => {
    const { tx, rx } = pair();
    const e = encryptFrame(tx, vp8, vp8DeltaFrame(100));
    if (!e.ok) throw new Error('encrypt');
    for (let n = 0; n < e.value.data.length; n++) expect(decryptFrame(rx, vp8, e.value.data.subarray(0, n)).ok).toBe(false);
  });

  it('unknown key id, wrong key and replayed counter are rejected with their reason', () => {
    const { tx, rx } = pair(1);
    const e = encryptFrame(tx, vp8, vp8DeltaFrame(100));
    if (!e.ok) throw new Error('encrypt');
    const other = new MediaKeyRing();
    other.addReceiveKey(2, key(1));
    expect(decryptFrame(other, vp8, e.value.data)).toMatchObject({ ok: false, error: { code: 'unknown-key' } });
    const wrong = new MediaKeyRing();
    wrong.addReceiveKey(1, key(9));
    expect(decryptFrame(wrong, vp8, e.value.data)).toMatchObject({ ok: false, error: { code: 'auth-failed' } });
    expect(decryptFrame(rx, vp8, e.value.data).ok).toBe(true);
    expect(decryptFrame(rx, vp8, e.value.data)).toMatchObject({ ok: false, error: { code: 'replay' } });
  });

  it('a forged frame does not advance the replay window', () => {
    const { tx, rx } = pair();
    const frames = Array.from({ length: 3 }, () => encryptFrame(tx, vp8, vp8DeltaFrame(50)));
    const last = frames[2]!;
    if (!last.ok) throw new Error('encrypt');
    const forged = last.value.data.slice();
    forged[10]! ^= 1;
    expect(decryptFrame(rx, vp8, forged).ok).toBe(false);
    for (const f of frames) expect(f.ok && decryptFrame(rx, vp8, f.value.data).ok).toBe(true);
  });
});

describe('replay window', () => {
  it('accepts reordering within the window, rejects duplicates and too-old counters (model check)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 300 }), (counters) => {
        const w = new ReplayWindow(1024);
        const seen = new Set<number>();
        let highest = -1;
        for (const c of counters) {
          const expected = highest - c >= 1024 ? 'too-old' : seen.has(c) ? 'replay' : 'fresh';
          expect(w.check(c)).toBe(expected);
          if (expected === 'fresh') {
            w.mark(c);
            seen.add(c);
            highest = Math.max(highest, c);
          }
        }
      }),
    );
  });
});

describe('epochs and grace window', () => {
  it('rotation: previous epoch still decrypts during the grace window, then is forgotten', () => {
    const tx = new MediaKeyRing();
    const rx = new MediaKeyRing({ graceFrames: 3 });
    tx.setSendKey(1, key(1));
    rx.addReceiveKey(1, key(1));
    const old = [0, 1, 2].map(() => encryptFrame(tx, vp8, vp8DeltaFrame(40)));
    tx.setSendKey(2, key(2));
    rx.addReceiveKey(2, key(2));
    expect(rx.receiveEpochs).toEqual([2, 1]);
    const fresh = [0, 1, 2].map(() => encryptFrame(tx, vp8, vp8DeltaFrame(40)));
    const oldFirst = old[0]!;
    if (!oldFirst.ok) throw new Error('encrypt');
    expect(decryptFrame(rx, vp8, oldFirst.value.data)).toMatchObject({ ok: true, value: { epoch: 1 } }); // late frame, old key
    for (const f of fresh) expect(f.ok && decryptFrame(rx, vp8, f.value.data).ok).toBe(true);
    expect(rx.receiveEpochs).toEqual([2]); // grace over after 3 frames under epoch 2
    const late = old[1]!;
    expect(late.ok && decryptFrame(rx, vp8, late.value.data)).toMatchObject({ ok: false, error: { code: 'unknown-key' } });
  });

  it('a third epoch drops the first; stale and conflicting receive keys are refused', () => {
    const rx = new MediaKeyRing();
    rx.addReceiveKey(1, key(1));
    rx.addReceiveKey(2, key(2));
    rx.addReceiveKey(3, key(3));
    expect(rx.receiveEpochs).toEqual([3, 2]);
    expect(rx.addReceiveKey(1, key(1))).toMatchObject({ ok: false, error: { code: 'stale-epoch' } });
    expect(rx.addReceiveKey(3, key(4))).toMatchObject({ ok: false, error: { code: 'epoch-conflict' } });
    expect(rx.addReceiveKey(3, key(3)).ok).toBe(true);
    expect(rx.forgetReceiveKey(3)).toBe(true);
    expect(rx.receiveEpochs).toEqual([2]);
  });

  it('keys are bound to their epoch: the same raw key under another epoch does not decrypt', () => {
    const tx = new MediaKeyRing();
    tx.setSendKey(5, key(1));
    const e = encryptFrame(tx, vp8, vp8DeltaFrame(40));
    if (!e.ok) throw new Error('encrypt');
    const rx = new MediaKeyRing();
    rx.addReceiveKey(5, key(1));
    const w = e.value.data.slice();
    // rewrite KID 5 -> 6 and install the same raw key as epoch 6
    w[w.length - 2] = 6;
    const rx6 = new MediaKeyRing();
    rx6.addReceiveKey(6, key(1));
    expect(decryptFrame(rx6, vp8, w)).toMatchObject({ ok: false, error: { code: 'auth-failed' } });
    expect(decryptFrame(rx, vp8, e.value.data).ok).toBe(true);
  });
});

describe('the synchronous AEAD writes into the caller\'s buffer', () => {
  it('a frame that fails its tag leaves no plaintext behind, and does not move the replay window', () => {
    const { tx, rx } = pair();
    const e = encryptFrame(tx, vp8, vp8DeltaFrame(600));
    if (!e.ok) throw new Error('encrypt');
    const slot = rx.receiveKey(1)!;
    const forged = e.value.data.slice();
    forged[100]! ^= 0x40;
    // Between the 3 clear bytes and the 3-byte trailer (counter 0, key id 1, config byte).
    const sealed = forged.subarray(3, forged.length - 3);
    const out = new Uint8Array(sealed.length - 16).fill(0xa5);
    const aad = new Uint8Array(8);
    expect(chachaAead.openInto(slot.key, frameNonce(slot.salt, 0), aad, sealed, out)).toBe(false);
    expect(out.every((b) => b === 0xa5)).toBe(true);
    expect(decryptFrame(rx, vp8, forged)).toMatchObject({ ok: false, error: { code: 'auth-failed' } });
    expect(decryptFrame(rx, vp8, e.value.data).ok).toBe(true);
  });

  it('a prefix-codec frame is built in one buffer that is exactly the frame (handed to the browser without a copy)', () => {
    const { tx, rx } = pair();
    const frames = [
      [vp8, vp8KeyFrame(2000)],
      [vp8, vp8DeltaFrame(3)],
      [rulesFor('opus'), opusFrame(1)],
      [rulesFor('opus'), opusFrame(90)],
    ] as const;
    for (const [rules, plain] of frames) {
      const e = encryptFrame(tx, rules, plain);
      if (!e.ok) throw new Error(e.error.code);
      expect(e.value.data.byteOffset).toBe(0);
      expect(e.value.data.byteLength).toBe(e.value.data.buffer.byteLength);
      const d = decryptFrame(rx, rules, e.value.data);
      if (!d.ok) throw new Error(d.error.code);
      expect(d.value.data.byteLength).toBe(d.value.data.buffer.byteLength);
      expect(Buffer.from(d.value.data).equals(Buffer.from(plain))).toBe(true);
    }
  });
});

describe('WebCrypto AES-GCM path (injected)', () => {
  it('round-trips and rejects tampering; suites cannot be mixed', async () => {
    const aead = webCryptoAesGcm(globalThis.crypto.subtle as unknown as SubtleLike);
    const opts = { suite: 'aes-256-gcm' as const };
    const { tx, rx } = pair(1, key(1), opts);
    const plain = vp8KeyFrame(2000);
    const e = await encryptFrameAsync(tx, vp8, plain, aead);
    if (!e.ok) throw new Error('encrypt');
    const d = await decryptFrameAsync(rx, vp8, e.value.data, aead);
    expect(d.ok && Buffer.from(d.value.data).equals(Buffer.from(plain))).toBe(true);
    const t = e.value.data.slice();
    t[20]! ^= 4;
    expect(await decryptFrameAsync(rx, vp8, t, aead)).toMatchObject({ ok: false });
    expect(() => decryptFrame(rx, vp8, e.value.data)).toThrow(/suite/);
  });
});

describe('wire format (independent construction from docs/media.md)', () => {
  const u32 = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

  /** VP8 delta frame by hand: 3 clear bytes, ChaCha20-Poly1305 over the rest, tag, CTR KID CFG. */
  function byHand(rx: MediaKeyRing, plain: Uint8Array, epoch: number, counter: number): Uint8Array {
    const slot = rx.receiveKey(epoch);
    if (!slot) throw new Error('no key');
    const trailer = encodeTrailer({ keyId: epoch, counter });
    const clear = plain.subarray(0, 3);
    const body = plain.subarray(3);
    const aad = new Uint8Array([...new TextEncoder().encode('veil-media-1'), vp8.id, ...trailer, ...u32(2), 0, ...u32(3), ...clear, 1, ...u32(body.length)]);
    const sealed = chacha20poly1305(slot.key, frameNonce(slot.salt, counter), aad).encrypt(body);
    return new Uint8Array([...clear, ...sealed, ...trailer]);
  }

  /** Any prefix codec by hand: `clearLength` clear bytes, ChaCha20-Poly1305 over the rest, tag, CTR KID CFG. */
  function prefixByHand(rx: MediaKeyRing, codecId: number, clearLength: number, plain: Uint8Array, epoch: number, counter: number): Uint8Array {
    const slot = rx.receiveKey(epoch);
    if (!slot) throw new Error('no key');
    const trailer = encodeTrailer({ keyId: epoch, counter });
    const clear = plain.subarray(0, clearLength);
    const body = plain.subarray(clearLength);
    const aad = new Uint8Array([...new TextEncoder().encode('veil-media-1'), codecId, ...trailer, ...u32(2), 0, ...u32(clear.length), ...clear, 1, ...u32(body.length)]);
    const sealed = chacha20poly1305(slot.key, frameNonce(slot.salt, counter), aad).encrypt(body);
    return new Uint8Array([...clear, ...sealed, ...trailer]);
  }

  it('every prefix codec (VP8 key and delta, VP9 with no clear bytes, Opus) writes and reads the documented bytes', () => {
    const cases = [
      { codec: 'vp8', clear: 10, make: (n: number, seed: number) => vp8KeyFrame(n, seed) },
      { codec: 'vp8', clear: 3, make: (n: number, seed: number) => vp8DeltaFrame(n, seed) },
      { codec: 'vp9', clear: 0, make: (n: number, seed: number) => pseudoRandom(n, seed) },
      { codec: 'opus', clear: 1, make: (n: number, seed: number) => opusFrame(n, seed) },
    ] as const;
    for (const c of cases) {
      const rules = rulesFor(c.codec);
      const { tx, rx } = pair(3);
      // Lengths around the 4-byte alignment the cipher prefers, and an empty encrypted part.
      for (let i = 0; i < 40; i++) {
        const plain = c.make(Math.max(c.clear, 1) + (i % 9) + (i >= 20 ? 1500 : 0), i + 1);
        const e = encryptFrame(tx, rules, plain);
        if (!e.ok) throw new Error(`${c.codec}: ${e.error.code}`);
        const expected = prefixByHand(rx, rules.id, c.clear, plain, 3, i);
        expect(Buffer.from(e.value.data).equals(Buffer.from(expected)), `${c.codec} frame ${i}`).toBe(true);
        const d = decryptFrame(rx, rules, expected);
        if (!d.ok) throw new Error(`${c.codec}: ${d.error.code}`);
        expect(Buffer.from(d.value.data).equals(Buffer.from(plain))).toBe(true);
      }
    }
  });

  it('encryptFrame writes exactly the documented bytes, and decryptFrame reads them', () => {
    const { tx, rx } = pair(1);
    for (let counter = 0; counter < 300; counter += 1) {
      const plain = vp8DeltaFrame(50 + (counter % 7) * 40, counter + 1);
      const e = encryptFrame(tx, vp8, plain);
      if (!e.ok) throw new Error(e.error.code);
      const expected = byHand(rx, plain, 1, counter);
      expect(e.value.counter).toBe(counter);
      expect(Buffer.from(e.value.data).equals(Buffer.from(expected))).toBe(true);
      const d = decryptFrame(rx, vp8, expected);
      if (!d.ok) throw new Error(d.error.code);
      expect(Buffer.from(d.value.data).equals(Buffer.from(plain))).toBe(true);
    }
  });

  it('encrypting never modifies the input frame; decrypting never modifies the wire frame', () => {
    const { tx, rx } = pair(1);
    for (const plain of [vp8KeyFrame(400), vp8DeltaFrame(200)]) {
      const before = plain.slice();
      const e = encryptFrame(tx, vp8, plain);
      if (!e.ok) throw new Error(e.error.code);
      expect(Buffer.from(plain).equals(Buffer.from(before))).toBe(true);
      const wire = e.value.data.slice();
      expect(decryptFrame(rx, vp8, e.value.data).ok).toBe(true);
      expect(Buffer.from(e.value.data).equals(Buffer.from(wire))).toBe(true);
    }
    const h = h264KeyFrame(500);
    const hb = h.slice();
    const { tx: tx2, rx: rx2 } = pair(1);
    const e = encryptFrame(tx2, rulesFor('h264'), h);
    if (!e.ok) throw new Error(e.error.code);
    expect(Buffer.from(h).equals(Buffer.from(hb))).toBe(true);
    const wire = e.value.data.slice();
    expect(decryptFrame(rx2, rulesFor('h264'), e.value.data).ok).toBe(true);
    expect(Buffer.from(e.value.data).equals(Buffer.from(wire))).toBe(true);
  });
});
