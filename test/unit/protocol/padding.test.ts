import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isBucketLength, MAX_PLAINTEXT_BYTES, pad, paddedLength, PADDING_BUCKETS, unpad } from '../../../lib/protocol/index.ts';

describe('padding', () => {
  it('uses the documented buckets', () => {
    expect(paddedLength(0)).toBe(5);
    expect(paddedLength(4)).toBe(5);
    expect(paddedLength(5)).toBe(13);
    expect(paddedLength(20)).toBe(21); // 20-byte message fits the 72-byte wire budget
    expect(paddedLength(21)).toBe(29);
    expect(paddedLength(16380)).toBe(16381);
    expect(paddedLength(16381)).toBe(3 * 8192 - 3);
    for (const b of PADDING_BUCKETS) expect((b + 3) % 8).toBe(0);
  });

  it('round-trips content and type', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.constantFrom('text' as const, 'confirm' as const), (c, t) => {
        const p = pad(c, t);
        expect(p.ok).toBe(true);
        if (!p.ok) return;
        expect(isBucketLength(p.value.length)).toBe(true);
        const u = unpad(p.value);
        expect(u.ok && u.value.type).toBe(t);
        expect(u.ok && u.value.content).toEqual(c);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps trailing zero bytes of content', () => {
    const u = unpad((pad(Uint8Array.of(1, 0, 0), 'text') as { value: Uint8Array }).value);
    expect(u.ok && u.value.content).toEqual(Uint8Array.of(1, 0, 0));
  });

  it('returns typed errors', () => {
    const e = (r: { ok: boolean; error?: { code: string } }) => r.error?.code;
    expect(e(pad(new Uint8Array(MAX_PLAINTEXT_BYTES + 1), 'text'))).toBe('too-long');
    expect(e(unpad(new Uint8Array(6)))).toBe('bad-padding'); // not a bucket
    expect(e(unpad(new Uint8Array(5)))).toBe('bad-padding'); // all zero
    expect(e(unpad(Uint8Array.of(1, 2, 3, 0x10, 0)))).toBe('bad-padding'); // marker without high bit
    expect(e(unpad(Uint8Array.of(1, 2, 3, 0x85, 0)))).toBe('unknown-content-type');
  });
});
