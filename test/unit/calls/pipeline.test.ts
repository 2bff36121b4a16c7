/**
 * lib/calls driving lib/media as the main-world script does: key actions from two schedules
 * installed in two rings, frames through send and receive transforms across epoch rotations,
 * and bad frames (truncated, unknown key id, replayed counter, clear) dropped and counted.
 */
import { describe, expect, it } from 'vitest';
import { deriveCallMaterial, EpochChain } from '../../../lib/calls/call-keys.ts';
import { KeySchedule, type KeyAction } from '../../../lib/calls/schedule.ts';
import { buildReport } from '../../../lib/calls/status.ts';
import { MediaKeyRing } from '../../../lib/media/key-ring.ts';
import { MediaTransform, type EncodedFrameLike } from '../../../lib/media/transform.ts';
import { callIdFromSdp } from '../../../lib/calls/sdp.ts';
import { startKeyAgreement } from '../../../lib/protocol/index.ts';
import { deliver, makePair } from '../protocol/helpers.ts';
import { vp8DeltaFrame, vp8KeyFrame } from '../media/frames.ts';

function sessionPair() {
  const [a, b] = makePair('pipe');
  const m1 = startKeyAgreement(a.state, a.identity, a.rng);
  if (!m1.ok) throw new Error('start');
  a.state = m1.value.state;
  const r1 = deliver(b, m1.value.outgoing);
  const r2 = deliver(a, r1.outgoing);
  const r3 = deliver(b, r2.outgoing);
  deliver(a, r3.outgoing);
  return [a, b] as const;
}

function apply(ring: MediaKeyRing, acts: KeyAction[]): void {
  for (const x of acts) {
    const r = x.type === 'set-send-key' ? ring.setSendKey(x.epoch, x.key) : ring.addReceiveKey(x.epoch, x.key);
    expect(r.ok).toBe(true);
  }
}

const frame = (bytes: Uint8Array): EncodedFrameLike => ({ data: bytes.slice().buffer, type: 'delta', getMetadata: () => ({ mimeType: 'video/VP8' }) });

describe('call pipeline over lib/media', () => {
  const [a, b] = sessionPair();
  const CALL = 'veil-call-v2|x|y';
  const ma = deriveCallMaterial(a.state, CALL);
  const mb = deriveCallMaterial(b.state, CALL);
  if (!ma.ok || !mb.ok) throw new Error('material');

  it('carries frames across rotations; drops and counts truncated, unknown-epoch, replayed and clear frames', () => {
    const aliceRing = new MediaKeyRing();
    const bobRing = new MediaKeyRing();
    const alice = new KeySchedule(EpochChain.fromHex(ma.value.sendChain)!, EpochChain.fromHex(ma.value.recvChain)!, { rotateMs: 1000 });
    const bob = new KeySchedule(EpochChain.fromHex(mb.value.sendChain)!, EpochChain.fromHex(mb.value.recvChain)!, { rotateMs: 1000 });
    apply(aliceRing, alice.start(0));
    apply(bobRing, bob.start(0));
    const send = new MediaTransform({ direction: 'send', mode: 'encrypt', ring: aliceRing, kind: 'video' });
    const recv = new MediaTransform({ direction: 'receive', mode: 'decrypt', ring: bobRing, kind: 'video' });

    let delivered = 0;
    let last: ArrayBuffer | null = null;
    for (let i = 0; i < 400; i++) {
      const now = i * 33;
      const plain = i % 60 === 0 ? vp8KeyFrame(3000, i) : vp8DeltaFrame(800, i);
      const out = send.process(frame(plain));
      expect(out.action).toBe('enqueue');
      if (out.action !== 'enqueue') continue;
      last = out.data;
      const back = recv.process({ ...frame(new Uint8Array(out.data)) });
      expect(back.action).toBe('enqueue');
      if (back.action === 'enqueue') {
        expect(new Uint8Array(back.data)).toEqual(plain);
        delivered++;
      }
      const rs = recv.stats();
      apply(aliceRing, alice.tick({ now, framesSentTotal: send.stats().video.encrypted, receivedEpoch: null }));
      apply(bobRing, bob.tick({ now, framesSentTotal: 0, receivedEpoch: rs.lastEpoch }));
    }
    expect(delivered).toBe(400);
    expect(recv.stats().lastEpoch).toBeGreaterThanOrEqual(12);

    // Replayed counter.
    expect(recv.process(frame(new Uint8Array(last!)))).toEqual({ action: 'drop', reason: 'replay' });
    // Truncated.
    expect(recv.process(frame(new Uint8Array(last!).slice(0, 5))).action).toBe('drop');
    // A key id (epoch) far ahead of anything installed: a ring that rotated on its own.
    const rogueRing = new MediaKeyRing();
    rogueRing.setSendKey(40, EpochChain.fromHex(ma.value.sendChain)!.keyAt(40)!);
    const rogue = new MediaTransform({ direction: 'send', mode: 'encrypt', ring: rogueRing, kind: 'video' }).process(frame(vp8DeltaFrame(500, 9)));
    if (rogue.action !== 'enqueue') throw new Error('rogue');
    expect(recv.process(frame(new Uint8Array(rogue.data)))).toEqual({ action: 'drop', reason: 'unknown-key' });
    // A clear frame once encrypted: never decoded.
    expect(recv.process(frame(vp8KeyFrame(2000, 3)))).toEqual({ action: 'drop', reason: 'plain-frame' });

    const s = recv.stats();
    expect(s.video.dropped.replay).toBe(1);
    expect(s.video.dropped['unknown-key']).toBe(1);
    // The clear key frame is recognized as plain; the 5-byte stub may read as a plain delta frame.
    expect(s.video.dropped['plain-frame']).toBeGreaterThanOrEqual(1);
    expect(s.video.dropped['plain-frame'] + s.video.dropped.truncated + s.video.dropped['bad-trailer'] + s.video.dropped.malformed).toBe(2);
    expect(s.video.decrypted).toBe(400);
    const report = buildReport({ transforms: [send.stats(), s], pipeline: 'worker', keys: 'installed', strict: false, platform: [{ direction: 'send', kind: 'video', mid: null, packets: 500 }, { direction: 'receive', kind: 'video', mid: null, packets: 500 }], unattached: 0 });
    expect(report.status).toBe('encrypted');
    expect(report.receive.dropped).toBe(4);
    expect(report.receive.protected).toBe(400);
  });
});

describe('two connections over the same DTLS certificates (issue #6: no nonce reuse)', () => {
  const [a, b] = sessionPair();
  const fp = (byte: number) => `sha-256 ${Array.from({ length: 32 }, (_, i) => ((byte + i) % 256).toString(16).padStart(2, '0').toUpperCase()).join(':')}`;
  // The page passes the same RTCCertificate to every connection (or persisted it): same fingerprints.
  const CERT_A = fp(0x21);
  const CERT_B = fp(0x92);
  const sdp = (cert: string, ufrag: string, pwd: string) =>
    `v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=ice-ufrag:${ufrag}\r\na=ice-pwd:${pwd}\r\na=fingerprint:${cert}\r\n`;
  /** One connection as both browsers see it: Alice's and Bob's call ids and material. */
  const connection = (aliceIce: [string, string], bobIce: [string, string]) => {
    const offer = sdp(CERT_A, ...aliceIce);
    const answer = sdp(CERT_B, ...bobIce);
    const idA = callIdFromSdp(offer, answer);
    const idB = callIdFromSdp(answer, offer);
    if (!idA.ok || !idB.ok) throw new Error('call id');
    expect(idA.value.callId).toBe(idB.value.callId);
    const ma = deriveCallMaterial(a.state, idA.value.callId);
    const mb = deriveCallMaterial(b.state, idB.value.callId);
    if (!ma.ok || !mb.ok) throw new Error('material');
    return { ma: ma.value, mb: mb.value };
  };
  /** A fresh pipeline per connection, as the main world builds one: counters start at 0. */
  const sender = (sendChain: string) => {
    const ring = new MediaKeyRing();
    ring.setSendKey(0, EpochChain.fromHex(sendChain)!.keyAt(0)!);
    return new MediaTransform({ direction: 'send', mode: 'encrypt', ring, kind: 'video' });
  };
  const receiver = (recvChain: string) => {
    const ring = new MediaKeyRing();
    ring.addReceiveKey(0, EpochChain.fromHex(recvChain)!.keyAt(0)!);
    return new MediaTransform({ direction: 'receive', mode: 'decrypt', ring, kind: 'video' });
  };
  const firstFrame = (sendChain: string): Uint8Array => {
    const out = sender(sendChain).process(frame(vp8DeltaFrame(600, 1)));
    if (out.action !== 'enqueue') throw new Error('send');
    return new Uint8Array(out.data);
  };

  it('fresh ICE credentials give the second connection other keys: its frame 0 is not frame 0 of the first', () => {
    const call1 = connection(['aB3+', 'pwdAlice1pwdAlice1pwdA'], ['zY9/', 'pwdBob1pwdBob1pwdBob1x']);
    const call2 = connection(['Qw7x', 'pwdAlice2pwdAlice2pwdA'], ['rT5k', 'pwdBob2pwdBob2pwdBob2x']);
    expect(call2.ma.sendChain).not.toBe(call1.ma.sendChain);
    const f1 = firstFrame(call1.ma.sendChain);
    const f2 = firstFrame(call2.ma.sendChain);
    // Same plaintext, same counter 0, same key id: only the key differs, so the bytes must too.
    expect(f2).not.toEqual(f1);
    // Each call's frames decrypt under its own keys only.
    expect(receiver(call1.mb.recvChain).process(frame(f1)).action).toBe('enqueue');
    expect(receiver(call2.mb.recvChain).process(frame(f1))).toMatchObject({ action: 'drop' });
  });

  it('control: identical ICE credentials too (what v1 computed for reused certificates) repeat key and nonce', () => {
    const ice: [[string, string], [string, string]] = [['aB3+', 'pwdAlice1pwdAlice1pwdA'], ['zY9/', 'pwdBob1pwdBob1pwdBob1x']];
    const call1 = connection(...ice);
    const call2 = connection(...ice);
    // Byte-identical first frames: the reuse the ICE binding removes (and the background refuses, see issued-calls tests).
    expect(firstFrame(call2.ma.sendChain)).toEqual(firstFrame(call1.ma.sendChain));
  });
});
