import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { armor, armorFragments, findArmor } from '../../../lib/armor/index.ts';
import { pseudoBytes } from './helpers.ts';

describe('findArmor', () => {
  it('reports start/end of each block within human text', () => {
    const a = armor(pseudoBytes(20, 1), 'ascii');
    const d = armor(pseudoBytes(33, 2), 'dense');
    const text = `Hello VLC fans. ${a} and then ${d}!`;
    const found = findArmor(text);
    expect(found).toHaveLength(2);
    expect(text.slice(found[0]?.start, found[0]?.end)).toBe(a);
    expect(text.slice(found[1]?.start, found[1]?.end)).toBe(d);
  });

  it('finds blocks glued to surrounding text with no separator', () => {
    const bytes = pseudoBytes(50, 3);
    const found = findArmor(`Alice10:42${armor(bytes, 'ascii')}Bob10:43${armor(bytes, 'dense')}seen`);
    expect(found.map((f) => f.result.ok && Array.from(f.result.value.bytes))).toEqual([Array.from(bytes), Array.from(bytes)]);
  });

  it('skips ignorables inside the prefix and before the terminator', () => {
    const bytes = pseudoBytes(9, 4);
    const block = armor(bytes, 'ascii');
    const mangled = `V\u200bL\u00ad\n1${block.slice(3, -1)} \u2060{`;
    const [f] = findArmor(mangled);
    expect(f?.result.ok && Array.from(f.result.value.bytes)).toEqual(Array.from(bytes));
  });

  it('returns typed errors for damaged blocks and keeps scanning after them', () => {
    const good = armor(pseudoBytes(12, 5), 'ascii');
    const text = `VL1AAAA-oops ${good} VL1AB{ VL1${armor(pseudoBytes(3, 6), 'dense').slice(3, -1)}A{ VL1AAA`;
    const codes = findArmor(text).map((f) => (f.result.ok ? 'ok' : f.result.error.code));
    expect(codes).toEqual(['bad-char', 'ok', 'non-canonical', 'mixed-alphabet', 'truncated']);
  });

  it('reports a truncated block when the site cut the message', () => {
    const block = armor(pseudoBytes(200, 7), 'ascii');
    for (const cut of [3, 50, block.length - 1]) {
      const [f] = findArmor(`${block.slice(0, cut)}…`);
      expect(f?.result.ok).toBe(false);
    }
  });

  it('ignores text without the prefix, including lookalikes', () => {
    expect(findArmor('VLC VL2 V L x VEIL v1 VLF')).toEqual([]);
    expect(findArmor('')).toEqual([]);
  });

  it('decodes fragment blocks with their header fields', () => {
    const bytes = pseudoBytes(500, 8);
    const blocks = armorFragments(bytes, { alphabet: 'dense', maxChars: 80, rng: () => Uint8Array.of(1, 2, 3, 4) });
    const found = findArmor(blocks.join('\n'));
    expect(found.length).toBe(blocks.length);
    found.forEach((f, k) => {
      expect(f.result).toMatchObject({ ok: true, value: { kind: 'fragment', id: '01020304', index: k, count: blocks.length } });
    });
  });

  it('never throws and returns ordered, non-overlapping spans on arbitrary text (property)', () => {
    const piece = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.constantFrom('VL1', 'VLf', '{', ' ', '\u200b', '一', '\u8e00', '%', '}'),
      fc.uint8Array({ maxLength: 40 }).map((b) => armor(b, 'ascii')),
      fc.uint8Array({ maxLength: 40 }).map((b) => armor(b, 'dense')),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const text = pieces.join('');
        let last = 0;
        for (const f of findArmor(text)) {
          expect(f.start).toBeGreaterThanOrEqual(last);
          expect(f.end).toBeGreaterThan(f.start);
          expect(f.end).toBeLessThanOrEqual(text.length);
          last = f.end;
        }
      }),
      { numRuns: 500 },
    );
  });
});
