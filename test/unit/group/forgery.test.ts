import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hexToBytes } from '@noble/hashes/utils.js';
import { concatBytes } from '@noble/hashes/utils.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import {
  decodeControl,
  decodeGroupMessage,
  encodeControl,
  proveKeyPossession,
  rotateSenderKey,
  senderKeyId,
  type ControlPayload,
} from '../../../lib/group/index.ts';
import { deliverParcel, formGroup, messageOf, must, read, send, snap, code, type Sim } from './sim.ts';

type SenderKey = Extract<ControlPayload, { kind: 'sender-key' }>;

function senderKeyOf(m: Sim): SenderKey {
  const out = must(rotateSenderKey(m.state!, m.rng));
  m.state = out.state;
  const d = decodeControl(out.outgoing[0]!.payload);
  if (!d.ok || d.value.kind !== 'sender-key') throw new Error('no sender key');
  return d.value;
}

describe('forged group messages', () => {
  it('any bit flip, truncation or extension is rejected and leaves state unchanged', () => {
    const [a, b] = formGroup(['alice', 'bob', 'carol']) as [Sim, Sim, Sim];
    const wire = send(a, 'a signed message');
    const before = snap(b.state);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({ kind: fc.constant('flip' as const), pos: fc.nat({ max: wire.length * 8 - 1 }) }),
          fc.record({ kind: fc.constant('truncate' as const), pos: fc.integer({ min: 0, max: wire.length - 1 }) }),
          fc.record({ kind: fc.constant('extend' as const), extra: fc.uint8Array({ minLength: 1, maxLength: 40 }) }),
        ),
        (m) => {
          let bad: Uint8Array;
          if (m.kind === 'flip') {
            bad = Uint8Array.from(wire);
            bad[m.pos >> 3] = (bad[m.pos >> 3] as number) ^ (1 << (m.pos & 7));
          } else if (m.kind === 'truncate') bad = wire.slice(0, m.pos);
          else bad = concatBytes(wire, m.extra);
          const r = read(b, bad);
          // A flip in the epoch/index varint may land on an index below the chain start: reported, unchanged.
          if (r.ok) expect(r.value.events.every((e) => e.type === 'unreadable-earlier')).toBe(true);
          expect(snap(b.state)).toBe(before);
        },
      ),
      { numRuns: 300 },
    );
    expect(messageOf(read(b, wire))?.text).toBe('a signed message');
  });

  it('a member who knows another chain key cannot write as its owner', () => {
    const [a, b, c] = formGroup(['alice', 'bob', 'carol']) as [Sim, Sim, Sim];
    // Carol holds Alice's chain key (she is a member) and encrypts a message on it, re-signing with her own key.
    const real = send(a, 'from alice');
    const parsed = decodeGroupMessage(real);
    if (!parsed.ok) throw new Error('parse');
    const carolSecret = hexToBytes(c.state!.own!.signSecret);
    const forged = concatBytes(parsed.value.signedBody, ed25519.sign(parsed.value.signedBody, carolSecret));
    const before = snap(b.state);
    expect(code(read(b, forged))).toBe('bad-signature');
    expect(snap(b.state)).toBe(before);
    expect(messageOf(read(b, real))?.member).toBe(a.id);
  });
});

describe('forged sender keys', () => {
  it('a key sent for another member, or claimed by one who copied it, is rejected', () => {
    const w = formGroup(['alice', 'bob', 'carol']);
    const [a, b, c] = w as [Sim, Sim, Sim];
    const alices = senderKeyOf(a);
    const before = snap(b.state);
    // Carol forwards Alice's key over her own session with Bob (owner field says Alice).
    expect(deliverParcel(w, { from: c.id, to: b.id, payload: encodeControl(alices) }).error?.code).toBe('wrong-sender');
    // Carol claims Alice's signing key as her own, before or after Alice's own copy arrives.
    const claimed = encodeControl({ ...alices, owner: c.identity.publicKey });
    expect(deliverParcel(w, { from: c.id, to: b.id, payload: claimed }).error?.code).toBe('bad-key-proof');
    expect(deliverParcel(w, { from: a.id, to: b.id, payload: encodeControl(alices) }).error).toBeNull();
    expect(deliverParcel(w, { from: c.id, to: b.id, payload: claimed }).error?.code).toBe('bad-key-proof');
    // A non-member with a well-formed key of her own for this group.
    const mallory = formGroup(['mallory', 'x'], 'm')[0]!;
    const sk = new Uint8Array(32).fill(7);
    const pub = ed25519.getPublicKey(sk);
    const own = { ...alices, owner: mallory.identity.publicKey, signPublic: pub, proof: proveKeyPossession(sk, { groupId: alices.groupId, owner: mallory.identity.publicKey, signPublic: pub }) };
    expect(deliverParcel([...w, mallory], { from: mallory.id, to: b.id, payload: encodeControl(own) }).error?.code).toBe('not-member');
    expect(snap(b.state)).not.toBe(before);
  });

  it('a replayed distribution never rewinds a chain', () => {
    const w = formGroup(['alice', 'bob', 'carol']);
    const [a, b] = w as [Sim, Sim];
    const first = senderKeyOf(a);
    deliverParcel(w, { from: a.id, to: b.id, payload: encodeControl(first) });
    const m0 = send(a, 'zero');
    expect(messageOf(read(b, m0))?.text).toBe('zero');
    const before = snap(b.state);
    expect(deliverParcel(w, { from: a.id, to: b.id, payload: encodeControl(first) }).error?.code).toBe('duplicate-distribution');
    expect(snap(b.state)).toBe(before);
    expect(code(read(b, m0))).toBe('duplicate');
    // After enough rotations the first chain is retired; sending it again is a replay.
    for (let i = 0; i < 3; i++) deliverParcel(w, { from: a.id, to: b.id, payload: encodeControl(senderKeyOf(a)) });
    const retired = senderKeyId(first.groupId, first.owner, first.signPublic);
    expect(b.state!.retiredKeyIds).toContain(Buffer.from(retired).toString('hex'));
    expect(deliverParcel(w, { from: a.id, to: b.id, payload: encodeControl(first) }).error?.code).toBe('replayed-distribution');
  });

  it('a key for our own identity or with an invalid signing key is rejected', () => {
    const w = formGroup(['alice', 'bob']);
    const [a, b] = w as [Sim, Sim];
    const k = senderKeyOf(a);
    expect(deliverParcel(w, { from: b.id, to: b.id, payload: encodeControl({ ...k, owner: b.identity.publicKey }) }).error?.code).toBe('own-key');
    expect(deliverParcel(w, { from: a.id, to: b.id, payload: encodeControl({ ...k, signPublic: new Uint8Array(32) }) }).error?.code).toBe('bad-key');
  });
});
