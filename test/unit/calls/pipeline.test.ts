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
  const CALL = 'veil-call-v1|x|y';
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
    const report = buildReport({ transforms: [send.stats(), s], pipeline: 'worker', keys: 'installed', strict: false, platform: { packetsSent: 500, packetsReceived: 500 }, unattached: 0 });
    expect(report.status).toBe('encrypted');
    expect(report.receive.dropped).toBe(4);
    expect(report.receive.protected).toBe(400);
  });
});
