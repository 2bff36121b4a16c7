import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findArmor, makeQueryLine, parseQuery } from '../../../lib/armor/index.ts';

describe('query line', () => {
  it('reads as an explanation and carries a parseable tag', () => {
    const line = makeQueryLine({ name: 'Alice', url: 'https://veil.example/get' });
    expect(line).toBe('?VEILv1? Alice wants an end-to-end encrypted chat with Veil. Get it at https://veil.example/get');
    expect(parseQuery(line)).toEqual({ versions: [1], start: 0, end: 8 });
    expect(findArmor(line)).toEqual([]); // not mistaken for armor
  });

  it('lists several versions, deduplicated and sorted', () => {
    const line = makeQueryLine({ url: 'https://v.example', versions: [3, 1, 3] });
    expect(line.startsWith('?VEILv13? Someone wants')).toBe(true);
    expect(parseQuery(`blah ${line}`)?.versions).toEqual([1, 3]);
  });

  it('sanitizes names so they cannot add lines or hidden characters', () => {
    const line = makeQueryLine({ name: 'Mal\nlory\u200b\u0000x'.padEnd(200, 'y'), url: 'https://v.example' });
    for (const bad of ['\n', '\u200b', '\u0000']) expect(line.includes(bad)).toBe(false);
    expect(line.includes('y'.repeat(65))).toBe(false);
    expect(makeQueryLine({ name: ' \n ', url: 'https://v.example' })).toContain(' Someone wants');
  });

  it('finds the tag despite inserted zero-width characters and line breaks', () => {
    expect(parseQuery('x ?\u200bVE\nIL\u00adv1 2\u2060? y')?.versions).toEqual([1, 2]);
  });

  it('returns null for lookalikes', () => {
    for (const t of ['', '?VEILv?', '?VEILv1', 'VEILv1?', '?VEILv0?', '?VEIL v1 x?', '?veilv1?']) expect(parseQuery(t), t).toBeNull();
  });

  it('throws RangeError on programmer errors', () => {
    expect(() => makeQueryLine({ url: 'javascript:alert(1)' })).toThrow(RangeError);
    expect(() => makeQueryLine({ url: 'https://a b' })).toThrow(RangeError);
    expect(() => makeQueryLine({ url: 'https://a', versions: [] })).toThrow(RangeError);
    expect(() => makeQueryLine({ url: 'https://a', versions: [10] })).toThrow(RangeError);
  });

  it('terminates on arbitrary text, including tags cut at the end (property)', () => {
    const piece = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('?', '?VEILv', '1', '9', '0', '\u200b', ' '));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 10 }), (pieces) => {
        const text = pieces.join('');
        const q = parseQuery(text);
        if (q !== null) {
          expect(q.versions.length).toBeGreaterThan(0);
          expect(text[q.start]).toBe('?');
          expect(text[q.end - 1]).toBe('?');
        }
      }),
      { numRuns: 500 },
    );
  });
});
