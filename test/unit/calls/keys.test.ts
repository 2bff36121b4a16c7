import { describe, expect, it } from 'vitest';
import { deriveCallMaterial, EpochChain } from '../../../lib/calls/call-keys.ts';
import { KeySchedule, type KeyAction } from '../../../lib/calls/schedule.ts';
import { newConversation, startKeyAgreement } from '../../../lib/protocol/index.ts';
import { deliver, makePair } from '../protocol/helpers.ts';

function sessionPair(seed = 'calls') {
  const [a, b] = makePair(seed);
  const m1 = startKeyAgreement(a.state, a.identity, a.rng);
  if (!m1.ok) throw new Error('start');
  a.state = m1.value.state;
  const r1 = deliver(b, m1.value.outgoing);
  const r2 = deliver(a, r1.outgoing);
  const r3 = deliver(b, r2.outgoing);
  deliver(a, r3.outgoing);
  return [a, b] as const;
}

const CALL = 'veil-call-v2|sha-256 AA;' + 'a'.repeat(64) + '|sha-256 BB;' + 'b'.repeat(64);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function material(state: Parameters<typeof deriveCallMaterial>[0], callId = CALL) {
  const m = deriveCallMaterial(state, callId);
  if (!m.ok) throw new Error(m.error.message);
  return m.value;
}

describe('call material from the text session', () => {
  const [a, b] = sessionPair();
  it('gives matching directions and the same SAS on both sides', () => {
    const ma = material(a.state);
    const mb = material(b.state);
    expect(ma.sendChain).toBe(mb.recvChain);
    expect(ma.recvChain).toBe(mb.sendChain);
    expect(ma.sendChain).not.toBe(ma.recvChain);
    expect(ma.sas.text).toBe(mb.sas.text);
    expect(ma.sessionId).toBe(mb.sessionId);
  });
  it('another call id (other DTLS fingerprints) gives unrelated keys and, here, another SAS', () => {
    const m1 = material(a.state);
    const m2 = material(a.state, CALL + 'x');
    expect(m2.sendChain).not.toBe(m1.sendChain);
    expect(m2.recvChain).not.toBe(m1.recvChain);
    expect(m2.sas.text).not.toBe(m1.sas.text);
  });
  it('another session gives other keys for the same call id', () => {
    const [c] = sessionPair('other');
    expect(material(c.state).sendChain).not.toBe(material(a.state).sendChain);
  });
  it('refuses without a confirmed session or with a bad call id', () => {
    const c = newConversation({ site: 's', conversationId: 'c', selfHandle: 'a', peerHandle: 'b' });
    if (!c.ok) throw new Error();
    expect(deriveCallMaterial(c.value, CALL)).toMatchObject({ ok: false, error: { code: 'no-session' } });
    expect(deriveCallMaterial(a.state, '')).toMatchObject({ ok: false, error: { code: 'bad-call-id' } });
  });
});

describe('epoch chains and the key schedule', () => {
  const [a, b] = sessionPair('sched');
  const ma = material(a.state);
  const mb = material(b.state);

  it('Alice\'s send keys are Bob\'s receive keys at every epoch; old epochs are forgotten', () => {
    const send = EpochChain.fromHex(ma.sendChain)!;
    const recv = EpochChain.fromHex(mb.recvChain)!;
    for (const e of [0, 1, 2, 7]) expect(hex(send.keyAt(e)!)).toBe(hex(recv.keyAt(e)!));
    send.forgetBefore(3);
    expect(send.keyAt(2)).toBeNull();
    expect(hex(send.keyAt(3)!)).toBe(hex(recv.keyAt(3)!));
    expect(EpochChain.fromHex('zz')).toBeNull();
  });

  it('rotates the send epoch on time or frame count, and keeps one receive epoch ahead', () => {
    const s = new KeySchedule(EpochChain.fromHex(ma.sendChain)!, EpochChain.fromHex(ma.recvChain)!, { rotateMs: 1000, rotateFrames: 100 });
    const first = s.start(0);
    expect(first.map((x) => `${x.type}:${x.epoch}`)).toEqual(['set-send-key:0', 'add-receive-key:0', 'add-receive-key:1']);
    expect(s.tick({ now: 500, framesSentTotal: 10, receivedEpoch: 0 })).toEqual([]);
    expect(s.tick({ now: 1000, framesSentTotal: 20, receivedEpoch: 0 }).map((x) => `${x.type}:${x.epoch}`)).toEqual(['set-send-key:1']);
    expect(s.tick({ now: 1100, framesSentTotal: 120, receivedEpoch: 0 }).map((x) => `${x.type}:${x.epoch}`)).toEqual(['set-send-key:2']);
    // Peer reached epoch 1 (our newest installed): install epoch 2.
    expect(s.tick({ now: 1200, framesSentTotal: 121, receivedEpoch: 1 }).map((x) => `${x.type}:${x.epoch}`)).toEqual(['add-receive-key:2']);
    expect(s.tick({ now: 1300, framesSentTotal: 122, receivedEpoch: 1 })).toEqual([]);
    expect(s.start(5)).toEqual([]); // only once
  });

  it('two schedules interoperate: each key Alice sends with is installed at Bob before she uses it', () => {
    const alice = new KeySchedule(EpochChain.fromHex(ma.sendChain)!, EpochChain.fromHex(ma.recvChain)!, { rotateMs: 1000 });
    const bob = new KeySchedule(EpochChain.fromHex(mb.sendChain)!, EpochChain.fromHex(mb.recvChain)!, { rotateMs: 1000 });
    const bobRecv = new Map<number, string>();
    const note = (acts: KeyAction[]) => acts.filter((x) => x.type === 'add-receive-key').forEach((x) => bobRecv.set(x.epoch, hex(x.key)));
    let aliceSend = alice.start(0).find((x) => x.type === 'set-send-key')!;
    note(bob.start(0));
    let bobSeen: number | null = null;
    for (let t = 0; t <= 10_000; t += 250) {
      expect(bobRecv.get(aliceSend.epoch)).toBe(hex(aliceSend.key));
      bobSeen = aliceSend.epoch;
      note(bob.tick({ now: t, framesSentTotal: 0, receivedEpoch: bobSeen }));
      const next = alice.tick({ now: t, framesSentTotal: 0, receivedEpoch: null }).find((x) => x.type === 'set-send-key');
      if (next) aliceSend = next;
    }
    expect(aliceSend.epoch).toBe(10);
  });

  it('stop() wipes the chains', () => {
    const send = EpochChain.fromHex(ma.sendChain)!;
    const s = new KeySchedule(send, EpochChain.fromHex(ma.recvChain)!);
    s.start(0);
    s.stop();
    expect(hex(send.keyAt(send.floor)!)).not.toBe(hex(EpochChain.fromHex(ma.sendChain)!.keyAt(0)!));
    expect(s.tick({ now: 1e9, framesSentTotal: 0, receivedEpoch: 0 })).toEqual([]);
  });
});
