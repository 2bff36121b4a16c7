import { describe, expect, it } from 'vitest';
import { NOW, code, formGroup, messageOf, read, send, snap } from './sim.ts';
import { GROUP_SKIPPED_KEY_TTL_MS, MAX_GROUP_JUMP, MAX_SKIPPED_PER_CHAIN, encryptGroupMessage } from '../../../lib/group/index.ts';

describe('group basics', () => {
  it('three members read each other, with the author from the signature', () => {
    const w = formGroup(['alice', 'bob', 'carol']);
    for (const m of w) expect(m.state?.status).toBe('active');
    for (const sender of w) {
      const wire = send(sender, `hello from ${sender.name}`);
      for (const r of w.filter((x) => x !== sender)) {
        const ev = messageOf(read(r, wire));
        expect(ev?.text).toBe(`hello from ${sender.name}`);
        expect(ev?.member).toBe(sender.id);
        expect(ev?.handle).toBe(sender.name);
        expect(ev?.readableByRemoved).toBe(false);
      }
    }
  });

  it('own messages, duplicates and other groups are refused without changing state', () => {
    const [a, b] = formGroup(['alice', 'bob', 'carol']);
    const wire = send(a!, 'x');
    expect(code(read(a!, wire))).toBe('own-message');
    expect(code(read(b!, wire))).toBe('ok');
    const before = snap(b!.state);
    expect(code(read(b!, wire))).toBe('duplicate');
    expect(snap(b!.state)).toBe(before);
    const other = formGroup(['alice', 'bob'], 'other');
    expect(code(read(b!, send(other[0]!, 'y')))).toBe('wrong-group');
    expect(snap(b!.state)).toBe(before);
  });

  it('an invited member cannot send before accepting', () => {
    const w = formGroup(['alice', 'bob']);
    const b = w[1]!;
    const invited = { ...b.state!, status: 'invited' as const, own: null };
    expect(code(encryptGroupMessage(invited, 'x'))).toBe('not-active');
  });
});

describe('bounds', () => {
  it('keeps at most MAX_SKIPPED_PER_CHAIN skipped keys; a dropped key is told apart from a duplicate', () => {
    const [a, b] = formGroup(['alice', 'bob'], 'bounds');
    const wires = Array.from({ length: MAX_SKIPPED_PER_CHAIN + 6 }, (_, i) => send(a!, `m${i}`));
    // Bob reads only the last one: everything before it is skipped.
    expect(messageOf(read(b!, wires.at(-1)!))?.text).toBe(`m${wires.length - 1}`);
    const chain = b!.state!.chains[0]!;
    expect(chain.skipped).toHaveLength(MAX_SKIPPED_PER_CHAIN);
    expect(code(read(b!, wires[0]!))).toBe('key-dropped');
    expect(messageOf(read(b!, wires[10]!))?.text).toBe('m10');
    expect(code(read(b!, wires[10]!))).toBe('duplicate');
    expect(code(read(b!, wires.at(-1)!))).toBe('duplicate');
  });

  it('skipped keys expire', () => {
    const [a, b] = formGroup(['alice', 'bob'], 'ttl');
    const first = send(a!, 'late');
    read(b!, send(a!, 'on time'), NOW);
    expect(b!.state!.chains[0]!.skipped).toHaveLength(1);
    read(b!, send(a!, 'much later'), NOW + GROUP_SKIPPED_KEY_TTL_MS + 1);
    expect(b!.state!.chains[0]!.skipped).toHaveLength(0);
    expect(code(read(b!, first, NOW + GROUP_SKIPPED_KEY_TTL_MS + 2))).toBe('key-dropped');
  });

  it('refuses to jump more than MAX_GROUP_JUMP steps, after checking the signature', () => {
    const [a, b] = formGroup(['alice', 'bob'], 'jump');
    a!.state = { ...a!.state!, own: { ...a!.state!.own!, next: MAX_GROUP_JUMP + 1 } };
    const before = snap(b!.state);
    expect(code(read(b!, send(a!, 'far')))).toBe('too-far-ahead');
    expect(snap(b!.state)).toBe(before);
  });
});
