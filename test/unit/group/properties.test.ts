// Property tests of the group protocol (fast-check): delivery in any order with loss and
// duplicates, removal, and forged sender keys.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { acceptGroup, addMembers, decodeControl, encodeControl, removeMembers, rotateSenderKey, type GroupState } from '../../../lib/group/index.ts';
import { apply, byId, code, deliverParcel, formGroup, makeMembers, messageOf, must, pump, read, send, snap, type Parcel, type Sim } from './sim.ts';

describe('group properties', () => {
  it('under any delivery order, loss and duplication, every member reads each delivered message exactly once', () => {
    const world0 = formGroup(['alice', 'bob', 'carol', 'dave'], 'prop');
    const base = world0.map((m) => m.state as GroupState);
    fc.assert(
      fc.property(
        fc.array(fc.record({ sender: fc.nat({ max: 3 }), count: fc.integer({ min: 1, max: 4 }) }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.array(fc.nat(), { maxLength: 40 }), { minLength: 4, maxLength: 4 }),
        (sends, schedules) => {
          const w = world0.map((m, i) => ({ ...m, state: base[i] as GroupState, events: [] }));
          const sent: Array<{ from: number; text: string; wire: Uint8Array }> = [];
          for (const s of sends) {
            for (let k = 0; k < s.count; k++) {
              const text = `m${sent.length}`;
              sent.push({ from: s.sender, text, wire: send(w[s.sender] as Sim, text) });
            }
          }
          w.forEach((r, ri) => {
            const got = new Set<number>();
            for (const pick of schedules[ri] as number[]) {
              const idx = pick % sent.length;
              const m = sent[idx]!;
              const before = snap(r.state);
              const res = read(r as Sim, m.wire);
              if (m.from === ri) expect(code(res)).toBe('own-message');
              else if (got.has(idx)) expect(code(res)).toBe('duplicate');
              else {
                const ev = messageOf(res);
                expect(ev?.text).toBe(m.text);
                expect(ev?.member).toBe(w[m.from]!.id);
                got.add(idx);
                continue;
              }
              expect(snap(r.state)).toBe(before);
            }
          });
        },
      ),
      { numRuns: 25 },
    );
  });

  it('with a member added mid-conversation and control arriving in any order, every message is read exactly once after waiting', () => {
    const world0 = formGroup(['alice', 'bob', 'carol'], 'prop-add');
    const base = world0.map((m) => m.state as GroupState);
    fc.assert(
      fc.property(
        fc.array(fc.record({ sender: fc.nat({ max: 3 }), control: fc.nat() }), { minLength: 1, maxLength: 14 }),
        fc.array(fc.nat(), { maxLength: 50 }),
        (steps, order) => {
          const w = world0.map((m, i) => ({ ...m, state: base[i] as GroupState, events: [] })) as Sim[];
          const [dave] = makeMembers(['dave'], 'prop-add');
          w.push(dave!);
          const a = w[0]!;
          const control: Parcel[] = apply(a, must(addMembers(a.state as GroupState, [{ identity: dave!.identity.publicKey, handle: 'dave' }], a.rng)));
          const sent: Array<{ from: number; wire: Uint8Array; text: string; daveMayRead: boolean }> = [];
          let o = 0;
          const deliverSome = (n: number) => {
            for (let k = 0; k < n && control.length > 0; k++) {
              const p = control.splice((order[o++] ?? 0) % control.length, 1)[0] as Parcel;
              const to = byId(w, p.to);
              const { out, error } = deliverParcel(w, p);
              if (error?.recovery === 'hold') {
                control.push(p);
                continue;
              }
              expect(error).toBeNull();
              control.push(...out);
              if (to.state?.status === 'invited') control.push(...apply(to, must(acceptGroup(to.state, to.rng))));
            }
          };
          for (const s of steps) {
            deliverSome(s.control % 4);
            const sender = w[s.sender] as Sim;
            if (sender.state?.status !== 'active') continue;
            const text = `m${sent.length}`;
            sent.push({ from: s.sender, wire: send(sender, text), text, daveMayRead: sender.state.epoch >= 1 });
          }
          deliverSome(Number.MAX_SAFE_INTEGER);
          for (const [ri, r] of w.entries()) {
            for (const m of sent) {
              const res = read(r, m.wire);
              if (m.from === ri) expect(code(res)).toBe('own-message');
              else if (ri === 3 && !m.daveMayRead) expect(res.ok && res.value.events.map((e) => e.type)).toEqual(['unreadable-earlier']);
              else {
                expect(messageOf(res)?.text).toBe(m.text);
                expect(code(read(r, m.wire))).toBe('duplicate');
              }
            }
          }
        },
      ),
      { numRuns: 20 },
    );
  });

  it('a removed member cannot decrypt anything sent after the removal, whatever order the rotation reaches members in', () => {
    const world0 = formGroup(['alice', 'bob', 'carol', 'dave'], 'prop-rm');
    const base = world0.map((m) => m.state as GroupState);
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 60 }), fc.array(fc.record({ sender: fc.constantFrom(0, 1, 3), at: fc.nat() }), { maxLength: 10 }), (order, sends) => {
        const w = world0.map((m, i) => ({ ...m, state: base[i] as GroupState, events: [] })) as Sim[];
        const [a, , carol] = w as [Sim, Sim, Sim, Sim];
        const carolStates: GroupState[] = [carol.state as GroupState];
        const queue: Parcel[] = apply(a, must(removeMembers(a.state as GroupState, [carol.identity.publicKey], a.rng)));
        // Deliver control parcels in a random order, sending messages in between.
        const afterRemoval: Uint8Array[] = [];
        let step = 0;
        while (queue.length > 0) {
          const p = queue.splice((order[step] ?? 0) % queue.length, 1)[0] as Parcel;
          const r = deliverParcel(w, p);
          expect(r.error).toBeNull();
          queue.push(...r.out);
          if (p.to === carol.id) carolStates.push(carol.state as GroupState);
          for (const s of sends.filter((x) => x.at % 8 === step % 8)) {
            const sender = w[s.sender] as Sim;
            const wire = send(sender, 'secret');
            if (sender.state!.epoch >= 1) afterRemoval.push(wire);
          }
          step++;
        }
        for (const wire of [...afterRemoval, ...w.filter((_, i) => i !== 2).map((m) => send(m, 'after'))]) {
          for (const st of carolStates) {
            const r = read({ ...carol, state: st }, wire);
            expect(r.ok && r.value.events.some((e) => e.type === 'message')).toBe(false);
          }
        }
        // Everyone still in the group reads messages sent after the removal.
        pump(w, []);
        for (const wire of afterRemoval) {
          for (const m of w.filter((_, i) => i !== 2)) {
            const r = read(m, wire);
            expect(['ok', 'own-message', 'duplicate']).toContain(code(r));
            if (r.ok) expect(messageOf(r)?.readableByRemoved).toBe(false);
          }
        }
      }),
      { numRuns: 30 },
    );
  });

  it('sender keys delivered by anyone but their owner, or delivered again, are rejected without changing state', () => {
    const world0 = formGroup(['alice', 'bob', 'carol'], 'prop-forge');
    const base = world0.map((m) => m.state as GroupState);
    // A real distribution from each member: a fresh chain from its base state.
    const keys = world0.map((m, i) => must(rotateSenderKey(base[i] as GroupState, m.rng)).outgoing[0]!.payload);
    fc.assert(
      fc.property(fc.nat({ max: 2 }), fc.nat({ max: 2 }), fc.nat({ max: 2 }), fc.boolean(), (owner, via, to, relabel) => {
        fc.pre(to !== owner);
        const w = world0.map((m, i) => ({ ...m, state: base[i] as GroupState })) as Sim[];
        let payload = keys[owner]!;
        if (relabel) {
          const d = decodeControl(payload);
          if (!d.ok || d.value.kind !== 'sender-key') throw new Error('decode');
          payload = encodeControl({ ...d.value, owner: w[via]!.identity.publicKey });
        }
        const before = snap(w[to]!.state);
        const r = deliverParcel(w, { from: w[via]!.id, to: w[to]!.id, payload });
        if (via === owner) {
          expect(r.error).toBeNull();
          const again = deliverParcel(w, { from: w[via]!.id, to: w[to]!.id, payload });
          expect(again.error?.code).toBe('duplicate-distribution');
        } else {
          expect(r.error?.code).toBe(relabel ? (via === to ? 'own-key' : 'bad-key-proof') : 'wrong-sender');
          expect(snap(w[to]!.state)).toBe(before);
        }
      }),
      { numRuns: 100 },
    );
  });
});
