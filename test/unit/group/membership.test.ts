import { describe, expect, it } from 'vitest';
import { bytesToHex } from '@noble/hashes/utils.js';
import {
  addMembers,
  decodeControl,
  encodeControl,
  leaveGroup,
  receiveGroupControl,
  removeMembers,
  requestSenderKeys,
  rotateSenderKey,
  type GroupState,
} from '../../../lib/group/index.ts';
import { SITE, NOW, apply, code, deliverParcel, formGroup, makeMembers, messageOf, must, pump, read, send, snap, type Parcel, type Sim } from './sim.ts';

function addDave(w: Sim[], seed = 'group'): Sim {
  const [dave] = makeMembers(['dave'], seed);
  w.push(dave!);
  const owner = w[0]!;
  const errors = pump(w, apply(owner, must(addMembers(owner.state!, [{ identity: dave!.identity.publicKey, handle: 'dave' }], owner.rng))));
  expect(errors).toEqual([]);
  return dave!;
}

describe('adding a member', () => {
  it('the new member reads new messages; earlier ones are "sent before you joined", not errors', () => {
    const w = formGroup(['alice', 'bob', 'carol']);
    const [a, b] = w as [Sim, Sim];
    const old1 = send(a, 'before dave 1');
    const old2 = send(b, 'before dave 2');
    const dave = addDave(w);
    expect(dave.state?.status).toBe('active');
    expect(dave.state?.epoch).toBe(1);
    for (const m of w) expect(m.state?.transcript).toBe(dave.state?.transcript);
    for (const old of [old1, old2]) {
      const before = snap(dave.state);
      const r = read(dave, old);
      expect(r.ok && r.value.events).toEqual([{ type: 'unreadable-earlier', reason: 'before-join', member: old === old1 ? a.id : b.id }]);
      expect(snap(dave.state)).toBe(before);
    }
    const fresh = send(a, 'hi dave');
    expect(messageOf(read(dave, fresh))?.text).toBe('hi dave');
    const fromDave = send(dave, 'hi all');
    for (const m of w.slice(0, 3)) expect(messageOf(read(m, fromDave))?.member).toBe(dave.id);
  });
});

describe('removing a member', () => {
  it('every remaining sender rotates; the removed member reads nothing sent after, with old or new state', () => {
    const w = formGroup(['alice', 'bob', 'carol', 'dave']);
    const [a, b, carol, d] = w as [Sim, Sim, Sim, Sim];
    const carolBefore = carol.state as GroupState;
    const oldKeys = w.map((m) => m.state!.own!.keyId);
    const errors = pump(w, apply(a, must(removeMembers(a.state!, [carol.identity.publicKey], a.rng))));
    expect(errors).toEqual([]);
    expect(carol.state?.status).toBe('removed');
    expect(carol.state?.own).toBeNull();
    expect(carol.state?.chains).toEqual([]);
    for (const m of [a, b, d]) {
      expect(m.state?.epoch).toBe(1);
      expect(oldKeys).not.toContain(m.state!.own!.keyId);
      expect(m.state!.chains.some((c) => c.owner === carol.id)).toBe(false);
    }
    for (const sender of [a, b, d]) {
      const wire = send(sender, 'carol must not read this');
      expect(code(read(carol, wire))).toBe('not-active');
      const r = read({ ...carol, state: carolBefore }, wire);
      expect(r.ok).toBe(false);
      for (const other of [a, b, d].filter((x) => x !== sender)) expect(messageOf(read(other, wire))?.readableByRemoved).toBe(false);
    }
  });

  it('a message sent before its sender learnt of the removal is read but marked as readable by the removed member', () => {
    const w = formGroup(['alice', 'bob', 'carol']);
    const [a, b, carol] = w as [Sim, Sim, Sim];
    const out = apply(a, must(removeMembers(a.state!, [carol.identity.publicKey], a.rng)));
    // Bob has not received the commit yet and keeps sending on his old chain.
    const late = send(b, 'sent on the old chain');
    expect(messageOf(read(carol, late))?.text).toBe('sent on the old chain');
    pump(w, out.filter((p) => p.to !== b.id));
    const r = read(a, late);
    expect(code(r)).toBe('ok');
    expect(messageOf(r)?.readableByRemoved).toBe(true);
    pump(w, out.filter((p) => p.to === b.id));
    expect(b.state?.epoch).toBe(1);
  });

  it('a member who leaves is removed by the owner automatically', () => {
    const w = formGroup(['alice', 'bob', 'carol']);
    const [a, b, c] = w as [Sim, Sim, Sim];
    const out = apply(c, must(leaveGroup(c.state!)));
    expect(c.state?.status).toBe('left');
    pump(w, out);
    expect(a.state!.members.map((m) => m.identity)).not.toContain(c.id);
    expect(b.state!.members.map((m) => m.identity)).not.toContain(c.id);
    expect(b.events.some((e) => e.type === 'member-leaving')).toBe(true);
  });

  it('only the owner commits, and not on another history', () => {
    const w = formGroup(['alice', 'bob', 'carol']);
    const [a, b, c] = w as [Sim, Sim, Sim];
    expect(code(removeMembers(b.state!, [c.identity.publicKey], b.rng))).toBe('not-owner');
    const commit = encodeControl({ kind: 'commit', groupId: Uint8Array.from(Buffer.from(a.state!.groupId, 'hex')), epoch: 1, parentTranscript: new Uint8Array(32), ops: [{ op: 'remove', identity: c.id }] });
    const before = snap(b.state);
    expect(deliverParcel(w, { from: c.id, to: b.id, payload: commit }).error?.code).toBe('not-owner');
    expect(deliverParcel(w, { from: a.id, to: b.id, payload: commit }).error?.code).toBe('fork');
    expect(snap(b.state)).toBe(before);
    expect(code(removeMembers(a.state!, [a.identity.publicKey], a.rng))).toBe('bad-commit');
  });
});

describe('control payloads in any order', () => {
  it('a sender key for a later epoch waits for its commit; messages of a later epoch wait too', () => {
    const w = formGroup(['alice', 'bob', 'carol']);
    const [a, b, c] = w as [Sim, Sim, Sim];
    const out = apply(a, must(removeMembers(a.state!, [c.identity.publicKey], a.rng)));
    const commitToB = out.find((p) => p.to === b.id && decodeControl(p.payload).ok && (decodeControl(p.payload) as { value: { kind: string } }).value.kind === 'commit') as Parcel;
    const keyToB = out.find((p) => p.to === b.id && p !== commitToB) as Parcel;
    expect(deliverParcel(w, keyToB).error).toBeNull();
    expect(b.events.at(-1)).toEqual({ type: 'held', kind: 'sender-key', epoch: 1 });
    const msg = send(a, 'epoch 1');
    const before = snap(b.state);
    const early = read(b, msg);
    expect(code(early)).toBe('future-epoch');
    expect(!early.ok && early.error.recovery).toBe('wait');
    expect(snap(b.state)).toBe(before);
    pump(w, [commitToB]);
    expect(b.state?.pending).toEqual([]);
    expect(messageOf(read(b, msg))?.text).toBe('epoch 1');
  });

  it('a payload before the welcome asks to be held', () => {
    const w = makeMembers(['alice', 'bob']);
    const [, b] = w as [Sim, Sim];
    const other = formGroup(['alice', 'bob'], 'x');
    const key = must(rotateSenderKey(other[0]!.state!, other[0]!.rng)).outgoing[0]!;
    const r = receiveGroupControl(null, { self: b.identity.publicKey, from: other[0]!.identity.publicKey, payload: key.payload, site: SITE, now: NOW });
    expect(!r.ok && r.error.recovery).toBe('hold');
  });

  it('a member whose key went missing asks for it and gets it at the current index', () => {
    const w = formGroup(['alice', 'bob', 'carol']);
    const [a, b] = w as [Sim, Sim];
    send(a, 'one');
    b.state = { ...b.state!, chains: b.state!.chains.filter((c) => c.owner !== a.id) };
    const req = must(requestSenderKeys(b.state!));
    expect(req.outgoing.map((o) => o.to)).toEqual([a.id]);
    pump(w, req.outgoing.map((o) => ({ from: b.id, to: o.to, payload: o.payload })));
    expect(messageOf(read(b, send(a, 'two')))?.text).toBe('two');
  });
});

describe('welcome checks', () => {
  it('refuses a welcome from someone other than its owner, or for another conversation', () => {
    const w = formGroup(['alice', 'bob', 'carol']);
    const [a, b, c] = w as [Sim, Sim, Sim];
    const [eve, frank] = makeMembers(['eve', 'frank']);
    const welcome = must(addMembers(a.state!, [{ identity: eve!.identity.publicKey, handle: null }], a.rng)).outgoing.find((o) => o.to === bytesToHex(eve!.identity.publicKey))!;
    const fromBob = receiveGroupControl(null, { self: eve!.identity.publicKey, from: b.identity.publicKey, payload: welcome.payload, site: SITE, now: NOW });
    expect(code(fromBob)).toBe('wrong-sender');
    const elsewhere = receiveGroupControl(null, { self: eve!.identity.publicKey, from: a.identity.publicKey, payload: welcome.payload, site: { ...SITE, conversationId: 'other' }, now: NOW });
    expect(code(elsewhere)).toBe('wrong-context');
    const notForFrank = receiveGroupControl(null, { self: frank!.identity.publicKey, from: a.identity.publicKey, payload: welcome.payload, site: SITE, now: NOW });
    expect(code(notForFrank)).toBe('bad-members');
    const again = receiveGroupControl(c.state, { self: c.identity.publicKey, from: a.identity.publicKey, payload: welcome.payload, site: SITE, now: NOW });
    expect(code(again)).toBe('duplicate-welcome');
  });
});
