import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Reassembler, type FragmentInput } from '../../../lib/armor/index.ts';

function frag(id: string, index: number, count: number, bytes: number[] | Uint8Array): FragmentInput {
  return { id, index, count, bytes: bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes) };
}

describe('Reassembler', () => {
  it('reassembles out of order and reports progress', () => {
    const r = new Reassembler();
    expect(r.add(frag('a', 2, 3, [5, 6]), 0)).toMatchObject({ status: 'incomplete', received: 1, count: 3, duplicate: false });
    expect(r.add(frag('a', 0, 3, [1, 2]), 1)).toMatchObject({ status: 'incomplete', received: 2, count: 3 });
    const done = r.add(frag('a', 1, 3, [3, 4]), 2);
    expect(done.status).toBe('complete');
    if (done.status === 'complete') expect(Array.from(done.bytes)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(r.openBuffers).toBe(0);
    expect(r.bufferedBytes).toBe(0);
  });

  it('accepts identical duplicates, rejects conflicting ones and leaves state unchanged', () => {
    const r = new Reassembler();
    r.add(frag('a', 0, 2, [1]), 0);
    expect(r.add(frag('a', 0, 2, [1]), 0)).toMatchObject({ status: 'incomplete', received: 1, duplicate: true });
    expect(r.add(frag('a', 0, 2, [9]), 0)).toMatchObject({ status: 'error', error: { code: 'slot-conflict' } });
    expect(r.add(frag('a', 1, 3, [2]), 0)).toMatchObject({ status: 'error', error: { code: 'count-mismatch' } });
    const done = r.add(frag('a', 1, 2, [2]), 0);
    expect(done.status === 'complete' && Array.from(done.bytes)).toEqual([1, 2]);
  });

  it('rejects bad counts, indexes and empty fragments with typed errors', () => {
    const r = new Reassembler({ maxCount: 8 });
    expect(r.add(frag('a', 0, 1, [1]), 0)).toMatchObject({ status: 'error', error: { code: 'bad-count' } });
    expect(r.add(frag('a', 0, 9, [1]), 0)).toMatchObject({ status: 'error', error: { code: 'bad-count' } });
    expect(r.add(frag('a', 8, 8, [1]), 0)).toMatchObject({ status: 'error', error: { code: 'bad-index' } });
    expect(r.add(frag('a', -1, 8, [1]), 0)).toMatchObject({ status: 'error', error: { code: 'bad-index' } });
    expect(r.add(frag('a', 0.5, 8, [1]), 0)).toMatchObject({ status: 'error', error: { code: 'bad-index' } });
    expect(r.add(frag('a', 0, 8, []), 0)).toMatchObject({ status: 'error', error: { code: 'empty-fragment' } });
    expect(r.openBuffers).toBe(0);
  });

  it('caps the reassembled size and drops the buffer that exceeds it', () => {
    const r = new Reassembler({ maxMessageBytes: 10, maxBufferedBytes: 100 });
    expect(r.add(frag('a', 0, 3, new Uint8Array(6)), 0).status).toBe('incomplete');
    expect(r.add(frag('a', 1, 3, new Uint8Array(5)), 0)).toMatchObject({ status: 'error', error: { code: 'too-large' } });
    expect(r.openBuffers).toBe(0);
    expect(r.bufferedBytes).toBe(0);
    expect(r.add(frag('b', 0, 2, new Uint8Array(11)), 0)).toMatchObject({ status: 'error', error: { code: 'too-large' } });
    expect(r.openBuffers).toBe(0);
  });

  it('evicts the oldest buffer when too many are open', () => {
    const r = new Reassembler({ maxBuffers: 3 });
    for (const id of ['a', 'b', 'c']) r.add(frag(id, 0, 2, [1]), 0);
    const res = r.add(frag('d', 0, 2, [1]), 0);
    expect(res.dropped).toEqual([{ id: 'a', channel: '', reason: 'evicted', received: 1, count: 2 }]);
    expect(r.openBuffers).toBe(3);
    // 'a' was forgotten: its second fragment starts a new buffer instead of completing.
    expect(r.add(frag('a', 1, 2, [2]), 0).status).toBe('incomplete');
    expect(r.add(frag('c', 1, 2, [2]), 0).status).toBe('complete');
  });

  it('evicts oldest buffers to respect the global byte cap', () => {
    const r = new Reassembler({ maxMessageBytes: 10, maxBufferedBytes: 20 });
    r.add(frag('a', 0, 2, new Uint8Array(8)), 0);
    r.add(frag('b', 0, 2, new Uint8Array(8)), 0);
    const res = r.add(frag('c', 0, 2, new Uint8Array(8)), 0);
    expect(res.dropped.map((d) => [d.id, d.reason])).toEqual([['a', 'evicted']]);
    expect(r.bufferedBytes).toBe(16);
  });

  it('expires buffers by age using the injected clock', () => {
    const r = new Reassembler({ maxAgeMs: 1000 });
    r.add(frag('a', 0, 2, [1]), 0);
    expect(r.add(frag('b', 0, 2, [1]), 1000).dropped).toEqual([]);
    const res = r.add(frag('a', 1, 2, [2]), 1001);
    expect(res.dropped).toEqual([{ id: 'a', channel: '', reason: 'expired', received: 1, count: 2 }]);
    expect(res.status).toBe('incomplete'); // the late fragment opened a fresh buffer
    expect(r.sweep(5000).map((d) => d.id)).toEqual(['b', 'a']);
    expect(r.openBuffers).toBe(0);
  });

  it('keeps channels apart so equal ids from different senders do not mix', () => {
    const r = new Reassembler();
    r.add(frag('x', 0, 2, [1]), 0, 'alice');
    expect(r.add(frag('x', 0, 2, [9]), 0, 'bob').status).toBe('incomplete');
    const done = r.add(frag('x', 1, 2, [2]), 0, 'alice');
    expect(done.status === 'complete' && Array.from(done.bytes)).toEqual([1, 2]);
  });

  it('copies fragment bytes so callers cannot mutate stored data', () => {
    const r = new Reassembler();
    const data = Uint8Array.of(1, 2);
    r.add(frag('a', 0, 2, data), 0);
    data[0] = 99;
    const done = r.add(frag('a', 1, 2, [3]), 0);
    expect(done.status === 'complete' && Array.from(done.bytes)).toEqual([1, 2, 3]);
  });

  it('rejects invalid options', () => {
    expect(() => new Reassembler({ maxBuffers: 0 })).toThrow(RangeError);
    expect(() => new Reassembler({ maxMessageBytes: 10, maxBufferedBytes: 5 })).toThrow(RangeError);
    expect(() => new Reassembler({ maxCount: 70_000 })).toThrow(RangeError);
  });

  it('stays within every cap under a random hostile fragment stream (property)', () => {
    const caps = { maxMessageBytes: 64, maxBufferedBytes: 200, maxBuffers: 5, maxAgeMs: 50, maxCount: 6 };
    const op = fc.record({
      id: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g'),
      index: fc.integer({ min: -1, max: 7 }),
      count: fc.integer({ min: 0, max: 8 }),
      bytes: fc.uint8Array({ maxLength: 40 }),
      dt: fc.nat(20),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const r = new Reassembler(caps);
        let now = 0;
        for (const o of ops) {
          now += o.dt;
          const res = r.add(o, now);
          expect(r.openBuffers).toBeLessThanOrEqual(caps.maxBuffers);
          expect(r.bufferedBytes).toBeLessThanOrEqual(caps.maxBufferedBytes);
          if (res.status === 'complete') expect(res.bytes.length).toBeLessThanOrEqual(caps.maxMessageBytes);
        }
      }),
      { numRuns: 300 },
    );
  });
});
