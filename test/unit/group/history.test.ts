import { describe, expect, it } from 'vitest';
import { REFERENCE_GRACE_MS, addMembers, decodeControl, membershipCode, type GroupState } from '../../../lib/group/index.ts';
import { NOW, code, deliverParcel, formGroup, messageOf, makeMembers, must, read, send, type Sim } from './sim.ts';

describe('history references', () => {
  it('a message hidden from one member is reported once another member references it', () => {
    const [a, b, c] = formGroup(['alice', 'bob', 'carol']) as [Sim, Sim, Sim];
    const hidden = send(a, 'only bob sees this');
    expect(messageOf(read(b, hidden))?.text).toBe('only bob sees this');
    const reply = send(b, 'reply after reading it');
    const r = read(c, reply, NOW);
    expect(messageOf(r)?.text).toBe('reply after reading it');
    expect(c.state!.openReferences).toHaveLength(1);
    const later = send(b, 'later');
    const r2 = read(c, later, NOW + REFERENCE_GRACE_MS + 1);
    expect(r2.ok && r2.value.events.filter((e) => e.type === 'history-missing')).toEqual([
      { type: 'history-missing', by: b.id, keyId: a.state!.own!.keyId, index: 0 },
    ]);
    expect(c.state!.openReferences).toHaveLength(0);
  });

  it('a late arrival settles the reference quietly', () => {
    const [a, b, c] = formGroup(['alice', 'bob', 'carol']) as [Sim, Sim, Sim];
    const m = send(a, 'slow');
    read(b, m);
    read(c, send(b, 'ref'));
    const r = read(c, m);
    expect(r.ok && r.value.events.map((e) => e.type)).toEqual(['message']);
    expect(c.state!.openReferences).toHaveLength(0);
  });

  it('a sender who shows two members different messages at one index is caught by a reference', () => {
    const [a, b, c] = formGroup(['alice', 'bob', 'carol']) as [Sim, Sim, Sim];
    const fork = a.state as GroupState;
    const toBob = send(a, 'version for bob');
    a.state = fork;
    const toCarol = send(a, 'version for carol');
    read(b, toBob);
    read(c, toCarol);
    const r = read(c, send(b, 'I saw it'));
    expect(r.ok && r.value.events.find((e) => e.type === 'history-conflict')).toEqual({
      type: 'history-conflict',
      by: b.id,
      keyId: fork.own!.keyId,
      index: 0,
    });
  });

  it('an owner who shows members different rosters is caught by the transcript hash', () => {
    const w = formGroup(['alice', 'bob', 'carol']);
    const [a, b, c] = w as [Sim, Sim, Sim];
    const [eve] = makeMembers(['eve']);
    const base = a.state as GroupState;
    // Alice commits "add eve" to Bob, and "remove nobody, add eve with another handle" to Carol.
    const toBob = must(addMembers(base, [{ identity: eve!.identity.publicKey, handle: 'eve' }], a.rng));
    const toCarol = must(addMembers(base, [{ identity: eve!.identity.publicKey, handle: 'someone else' }], a.rng));
    const commitOf = (r: typeof toBob, to: string) => r.outgoing.find((o) => o.to === to && decodeControl(o.payload).ok && (decodeControl(o.payload) as { value: { kind: string } }).value.kind === 'commit')!;
    expect(deliverParcel(w, { from: a.id, to: b.id, payload: commitOf(toBob, b.id).payload }).error).toBeNull();
    expect(deliverParcel(w, { from: a.id, to: c.id, payload: commitOf(toCarol, c.id).payload }).error).toBeNull();
    expect(b.state!.epoch).toBe(c.state!.epoch);
    expect(b.state!.transcript).not.toBe(c.state!.transcript);
    expect(membershipCode(b.state!.transcript)).toMatch(/^\d{6} \d{6}$/);
    expect(membershipCode(b.state!.transcript)).not.toBe(membershipCode(c.state!.transcript));
    expect(membershipCode(a.state!.transcript)).toBe(membershipCode(base.transcript));
    const before = JSON.stringify(c.state);
    const r = read(c, send(b, 'which roster?'));
    expect(code(r)).toBe('membership-fork');
    expect(JSON.stringify(c.state)).toBe(before);
  });
});
