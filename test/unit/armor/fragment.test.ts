import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_FRAGMENT_COUNT, Reassembler, armorFragments, findArmor, type ArmorFinding } from '../../../lib/armor/index.ts';
import { pseudoBytes } from './helpers.ts';

const SITE_LIMITS = { discord: 2000, messenger: 2000, telegram: 4096, whatsapp: 4096, x: 10_000 };

function fragmentsOf(findings: ArmorFinding[]) {
  return findings.flatMap((f) => (f.result.ok && f.result.value.kind === 'fragment' ? [f.result.value] : []));
}

/** Feeds blocks (in the given order) through findArmor and a Reassembler; returns completed messages. */
function reassemble(blocks: string[], reassembler = new Reassembler()): Uint8Array[] {
  const done: Uint8Array[] = [];
  for (const block of blocks) {
    for (const f of findArmor(block)) {
      if (!f.result.ok) throw new Error(f.result.error.message);
      if (f.result.value.kind === 'whole') done.push(f.result.value.bytes);
      else {
        const r = reassembler.add(f.result.value, 0);
        if (r.status === 'complete') done.push(r.bytes);
        if (r.status === 'error') throw new Error(r.error.message);
      }
    }
  }
  return done;
}

describe('armorFragments', () => {
  it('returns one whole block when it fits', () => {
    const blocks = armorFragments(pseudoBytes(72, 1), { alphabet: 'ascii', maxChars: 100 });
    expect(blocks).toHaveLength(1);
    expect(blocks[0]?.startsWith('VL1')).toBe(true);
  });

  it('fits every fragment within each site limit and reassembles (both alphabets)', () => {
    for (const [site, limit] of Object.entries(SITE_LIMITS)) {
      for (const alphabet of ['ascii', 'dense'] as const) {
        const bytes = pseudoBytes(60_000, limit);
        const blocks = armorFragments(bytes, { alphabet: alphabet, maxChars: limit });
        expect(blocks.length, site).toBeGreaterThan(1);
        for (const b of blocks) expect(b.length, site).toBeLessThanOrEqual(limit);
        expect(reassemble(blocks).map((m) => Array.from(m))).toEqual([Array.from(bytes)]);
      }
    }
  });

  it('every fragment fits any maxChars, and sizes differ by at most one byte (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 3000 }),
        fc.constantFrom('ascii' as const, 'dense' as const),
        fc.integer({ min: 20, max: 700 }),
        (bytes, alphabet, maxChars) => {
          const blocks = armorFragments(bytes, { alphabet: alphabet, maxChars: maxChars });
          for (const b of blocks) expect(b.length).toBeLessThanOrEqual(maxChars);
          const frags = fragmentsOf(blocks.flatMap((b) => findArmor(b)));
          if (frags.length > 0) {
            const sizes = frags.map((f) => f.bytes.length);
            expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
          }
          expect(reassemble(blocks).map((m) => Array.from(m))).toEqual([Array.from(bytes)]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('survives shuffling, duplication and partial loss (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 200, maxLength: 2000 }),
        fc.integer({ min: 40, max: 200 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 60 }),
        fc.boolean(),
        (bytes, maxChars, order, dropOne) => {
          const blocks = armorFragments(bytes, { alphabet: 'ascii', maxChars: maxChars });
          // A delivery schedule: random picks (duplicates likely) followed by every block once,
          // unless one block is lost for good.
          const lost = dropOne ? (order[0] ?? 0) % blocks.length : -1;
          const schedule = [...order.map((o) => o % blocks.length), ...blocks.map((_, i) => i)].filter((i) => i !== lost);
          const out = reassemble(schedule.map((i) => blocks[i] as string));
          if (lost >= 0 && blocks.length > 1) expect(out).toEqual([]);
          else {
            // A set delivered again after completing completes again (sites re-render history);
            // deduplication belongs to the protocol's plaintext cache, keyed by digest.
            expect(out.length).toBeGreaterThanOrEqual(1);
            for (const m of out) expect(Array.from(m)).toEqual(Array.from(bytes));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('uses a fresh random id per message', () => {
    const a = fragmentsOf(findArmor(armorFragments(pseudoBytes(300, 1), { alphabet: 'ascii', maxChars: 100 }).join(' ')));
    const b = fragmentsOf(findArmor(armorFragments(pseudoBytes(300, 1), { alphabet: 'ascii', maxChars: 100 }).join(' ')));
    expect(a[0]?.id).toMatch(/^[0-9a-f]{8}$/);
    expect(a[0]?.id).not.toBe(b[0]?.id);
    expect(new Set(a.map((f) => f.id)).size).toBe(1);
  });

  it('throws RangeError only for programmer errors', () => {
    const bytes = pseudoBytes(100, 1);
    expect(() => armorFragments(bytes, { alphabet: 'ascii', maxChars: 0 })).toThrow(RangeError);
    expect(() => armorFragments(bytes, { alphabet: 'ascii', maxChars: 1.5 })).toThrow(RangeError);
    expect(() => armorFragments(bytes, { alphabet: 'ascii', maxChars: 15 })).toThrow(RangeError); // header leaves no data room
    expect(armorFragments(bytes, { alphabet: 'ascii', maxChars: 16 })).toHaveLength(100); // one data byte each
    expect(() => armorFragments(new Uint8Array(MAX_FRAGMENT_COUNT + 1), { alphabet: 'ascii', maxChars: 16 })).toThrow(RangeError);
    expect(armorFragments(new Uint8Array(0), { alphabet: 'ascii', maxChars: 4 })).toEqual(['VL1{']);
  });
});
