import { describe, expect, it } from 'vitest';
import { MediaKeyRing } from '../../../lib/media/key-ring.ts';
import { MediaTransform, ownArrayBuffer, type EncodedFrameLike } from '../../../lib/media/transform.ts';
import { opusFrame, vp8DeltaFrame, vp8KeyFrame } from './frames.ts';
import { key } from './helpers.ts';

function frame(bytes: Uint8Array, mimeType: string | undefined, type?: 'key' | 'delta' | 'empty'): EncodedFrameLike {
  const data = new ArrayBuffer(bytes.length);
  new Uint8Array(data).set(bytes);
  return { data, ...(type ? { type } : {}), getMetadata: () => (mimeType ? { mimeType } : { payloadType: 96 }) };
}

function setup(mode: 'encrypt' | 'strict' | 'passthrough' = 'encrypt') {
  const txRing = new MediaKeyRing();
  const rxRing = new MediaKeyRing();
  const tx = new MediaTransform({ direction: 'send', mode, ring: txRing });
  const rx = new MediaTransform({ direction: 'receive', mode: mode === 'encrypt' ? 'decrypt' : mode, ring: rxRing });
  const keys = (epoch: number) => {
    txRing.setSendKey(epoch, key(epoch));
    rxRing.addReceiveKey(epoch, key(epoch));
  };
  return { tx, rx, txRing, rxRing, keys };
}

describe('MediaTransform', () => {
  it('encrypt/decrypt: opportunistic before keys, then latched and counted per kind', () => {
    const { tx, rx, keys } = setup();
    const f0 = frame(vp8DeltaFrame(200), 'video/VP8', 'delta');
    const d0 = tx.process(f0);
    expect(d0).toMatchObject({ action: 'enqueue', outcome: 'passthrough' });
    expect(tx.stats().status).toBe('not-encrypted');
    keys(1);
    const plain = opusFrame(60);
    const d1 = tx.process(frame(plain, 'audio/opus'));
    expect(d1).toMatchObject({ action: 'enqueue', outcome: 'encrypted' });
    if (d1.action !== 'enqueue') return;
    expect(Buffer.from(d1.data).equals(Buffer.from(plain))).toBe(false);
    const d2 = rx.process(frame(new Uint8Array(d1.data), 'audio/opus'));
    expect(d2).toMatchObject({ action: 'enqueue', outcome: 'decrypted' });
    if (d2.action === 'enqueue') expect(Buffer.from(d2.data).equals(Buffer.from(plain))).toBe(true);
    const s = tx.stats();
    expect(s.video).toMatchObject({ framesIn: 1, passthrough: 1, encrypted: 0 });
    expect(s.audio).toMatchObject({ framesIn: 1, encrypted: 1 });
    expect(s.status).toBe('encrypted');
    expect(rx.stats()).toMatchObject({ status: 'encrypted', peerEncrypting: true, lastEpoch: 1 });
  });

  it('once latched, a frame never leaves in clear: no key -> dropped, passthrough refused', () => {
    const { tx, txRing, keys } = setup();
    keys(1);
    expect(tx.process(frame(opusFrame(20), 'audio/opus')).action).toBe('enqueue');
    txRing.forgetAll();
    expect(tx.process(frame(opusFrame(20), 'audio/opus'))).toMatchObject({ action: 'drop' });
    expect(tx.setMode('passthrough')).toEqual({ ok: false, error: 'latched' });
    expect(tx.stats().latched).toBe(true);
  });

  it('strict refuses to send or play anything before keys', () => {
    const { tx, rx } = setup('strict');
    expect(tx.process(frame(vp8KeyFrame(100), 'video/VP8', 'key'))).toEqual({ action: 'drop', reason: 'no-key' });
    expect(rx.process(frame(vp8KeyFrame(100), 'video/VP8', 'key'))).toMatchObject({ action: 'drop' });
    expect(tx.stats().status).toBe('waiting-for-keys');
  });

  it('unknown codec fails closed (typed reason, counted), even with keys', () => {
    const { tx, keys } = setup();
    keys(1);
    expect(tx.process(frame(new Uint8Array([1, 2, 3]), 'audio/red'))).toEqual({ action: 'drop', reason: 'unknown-codec' });
    expect(tx.process(frame(new Uint8Array([1, 2, 3]), undefined, 'delta'))).toEqual({ action: 'drop', reason: 'unknown-codec' });
    expect(tx.stats().video.dropped['unknown-codec'] + tx.stats().audio.dropped['unknown-codec']).toBe(2);
  });

  it('payload type map from SDP resolves codecs when the frame has no mime type', () => {
    const ring = new MediaKeyRing();
    ring.setSendKey(1, key(1));
    const tx = new MediaTransform({ direction: 'send', mode: 'encrypt', ring, payloadTypes: { 96: 'vp8' }, kind: 'video' });
    expect(tx.process(frame(vp8DeltaFrame(50), undefined, 'delta'))).toMatchObject({ outcome: 'encrypted' });
  });

  it('receiver counts plain frames from a peer that is not encrypting, and tag failures', () => {
    const { tx, rx, keys } = setup();
    keys(1);
    const plainKey = vp8KeyFrame(500);
    expect(rx.process(frame(plainKey, 'video/VP8', 'key'))).toEqual({ action: 'drop', reason: 'plain-frame' });
    const enc = tx.process(frame(vp8DeltaFrame(80), 'video/VP8', 'delta'));
    if (enc.action !== 'enqueue') throw new Error('enc');
    const t = new Uint8Array(enc.data.slice(0));
    t[20]! ^= 1;
    expect(rx.process(frame(t, 'video/VP8', 'delta'))).toEqual({ action: 'drop', reason: 'auth-failed' });
    const s = rx.stats();
    expect(s.video.plainWhileEncrypted).toBe(1);
    expect(s.video.dropped['auth-failed']).toBe(1);
    expect(s.peerEncrypting).toBe(false);
  });

  it('receiver before keys: clear frames play (not encrypted), Veil frames wait for keys', () => {
    const other = setup();
    other.keys(1);
    const enc = other.tx.process(frame(opusFrame(30), 'audio/opus'));
    if (enc.action !== 'enqueue') throw new Error('enc');
    const { rx } = setup();
    expect(rx.process(frame(opusFrame(30), 'audio/opus'))).toMatchObject({ outcome: 'passthrough' });
    expect(rx.process(frame(new Uint8Array(enc.data), 'audio/opus'))).toEqual({ action: 'drop', reason: 'no-key' });
  });

  it('raises needKeyframe after a send key change and after recovery on receive', () => {
    const { tx, rx, keys } = setup();
    const calls: string[] = [];
    const tx2 = new MediaTransform({ direction: 'send', mode: 'encrypt', ring: new MediaKeyRing(), onNeedKeyframe: (d) => calls.push(d) });
    expect(tx2.takeNeedKeyframe()).toBe(false);
    keys(1);
    tx.process(frame(opusFrame(10), 'audio/opus'));
    expect(tx.takeNeedKeyframe()).toBe(true);
    expect(tx.takeNeedKeyframe()).toBe(false);
    const a = tx.process(frame(opusFrame(10), 'audio/opus'));
    if (a.action !== 'enqueue') throw new Error('enc');
    rx.process(frame(new Uint8Array([1, 2, 3, 4]), 'audio/opus')); // garbage -> drop streak
    expect(rx.process(frame(new Uint8Array(a.data), 'audio/opus'))).toMatchObject({ outcome: 'decrypted' });
    expect(rx.takeNeedKeyframe()).toBe(true);
    expect(calls).toEqual([]);
  });

  it('turns "failing" after repeated drops with keys present', () => {
    const { rx, keys } = setup();
    keys(1);
    for (let i = 0; i < 10; i++) rx.process(frame(new Uint8Array([9, 9, 9, 9, 0x88]), 'audio/opus'));
    expect(rx.stats().status).toBe('failing');
  });

  it('empty frames pass untouched and are counted apart', () => {
    const { tx } = setup('strict');
    expect(tx.process(frame(new Uint8Array(0), 'video/VP8', 'empty'))).toMatchObject({ action: 'enqueue', outcome: 'empty' });
    expect(tx.stats().video.empty).toBe(1);
  });

  it('a throwing getMetadata cannot break the pipeline', () => {
    const { tx, keys } = setup();
    keys(1);
    const f: EncodedFrameLike = { data: new ArrayBuffer(10), getMetadata: () => { throw new Error('page'); } };
    expect(tx.process(f)).toEqual({ action: 'drop', reason: 'unknown-codec' });
  });
});

describe('frame buffers (one copy less per frame)', () => {
  it('ownArrayBuffer hands over a buffer the bytes fill exactly, and copies views', () => {
    const whole = new Uint8Array([1, 2, 3]);
    expect(ownArrayBuffer(whole)).toBe(whole.buffer);
    const big = new Uint8Array([9, 1, 2, 3, 9]);
    const view = big.subarray(1, 4);
    const out = ownArrayBuffer(view);
    expect(out).not.toBe(big.buffer);
    expect([...new Uint8Array(out)]).toEqual([1, 2, 3]);
    new Uint8Array(out)[0] = 7; // the copy is independent
    expect(big[1]).toBe(1);
  });

  it('encrypted and decrypted frames never share a buffer with the incoming frame, and leave it untouched', () => {
    const { tx, rx, keys } = setup();
    keys(1);
    for (const [plain, mime] of [[vp8KeyFrame(500), 'video/VP8'], [vp8DeltaFrame(120), 'video/VP8'], [opusFrame(60), 'audio/opus']] as const) {
      const inFrame = frame(plain, mime, 'delta');
      const e = tx.process(inFrame);
      if (e.action !== 'enqueue') throw new Error('send dropped');
      expect(e.data).not.toBe(inFrame.data);
      expect([...new Uint8Array(inFrame.data)]).toEqual([...plain]);
      const wire = frame(new Uint8Array(e.data), mime, 'delta');
      const d = rx.process(wire);
      if (d.action !== 'enqueue') throw new Error('receive dropped');
      expect(d.data).not.toBe(wire.data);
      expect([...new Uint8Array(d.data)]).toEqual([...plain]);
      expect([...new Uint8Array(wire.data)]).toEqual([...new Uint8Array(e.data)]);
    }
  });

  it('video delta frames reuse the metadata of the last key frame; audio frames and key frames read their own', () => {
    const { tx, keys } = setup();
    keys(1);
    let reads = 0;
    const counted = (bytes: Uint8Array, mimeType: string, type?: 'key' | 'delta'): EncodedFrameLike => {
      const f = frame(bytes, mimeType, type);
      return { ...f, getMetadata: () => (reads++, { mimeType }) };
    };
    expect(tx.process(counted(vp8DeltaFrame(80), 'video/VP8', 'delta'))).toMatchObject({ outcome: 'encrypted' }); // no key frame yet: read
    expect(reads).toBe(1);
    tx.process(counted(vp8KeyFrame(300), 'video/VP8', 'key'));
    for (let i = 0; i < 5; i++) expect(tx.process(counted(vp8DeltaFrame(80), 'video/VP8', 'delta'))).toMatchObject({ outcome: 'encrypted' });
    expect(reads).toBe(2);
    for (let i = 0; i < 3; i++) tx.process(counted(opusFrame(40), 'audio/opus'));
    expect(reads).toBe(5);
    // A new codec arrives with a key frame, and its delta frames follow it.
    tx.process(counted(new Uint8Array(200).fill(7), 'video/VP9', 'key'));
    expect(tx.process(counted(new Uint8Array(90).fill(3), 'video/VP9', 'delta'))).toMatchObject({ outcome: 'encrypted' });
    expect(reads).toBe(6);
    expect(tx.stats().video.encrypted).toBe(9);
  });

  it('a delta frame whose codec changed without a key frame is dropped, never played', () => {
    const { tx, rx, keys } = setup();
    keys(1);
    // The sender encrypts a VP9 delta frame (no clear bytes); the receiver's last key frame was VP8.
    const e = tx.process(frame(new Uint8Array(120).fill(5), 'video/VP9', 'delta'));
    if (e.action !== 'enqueue') throw new Error('send dropped');
    const k = tx.process(frame(vp8KeyFrame(300), 'video/VP8', 'key'));
    if (k.action !== 'enqueue') throw new Error('send dropped');
    expect(rx.process(frame(new Uint8Array(k.data), 'video/VP8', 'key'))).toMatchObject({ outcome: 'decrypted' });
    // Read under the stale VP8 rules, its codec id and clear bytes differ: the tag fails.
    expect(rx.process(frame(new Uint8Array(e.data), 'video/VP9', 'delta'))).toEqual({ action: 'drop', reason: 'auth-failed' });
    expect(rx.stats().video.decrypted).toBe(1);
  });
});
