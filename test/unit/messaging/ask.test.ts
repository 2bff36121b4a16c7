import { describe, expect, it, vi } from 'vitest';
import { askBackground } from '../../../lib/messaging/ask.ts';
import { ok } from '../../../lib/result.ts';
import type { Result } from '../../../lib/messaging/errors.ts';

describe('askBackground: calls to the background never throw', () => {
  it('returns the answer; a rejected call (background restarting) is tried again after a wait', async () => {
    vi.useFakeTimers();
    try {
      let calls = 0;
      const call = (): Promise<Result<number>> => (++calls === 1 ? Promise.reject(new Error('Receiving end does not exist')) : Promise.resolve(ok(7)));
      const pending = askBackground(call, { attempts: 2, backoffMs: 300 });
      await vi.advanceTimersByTimeAsync(299);
      expect(calls).toBe(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(await pending).toEqual(ok(7));
      expect(calls).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });
  it('null after the last attempt, with growing waits; never more calls than attempts', async () => {
    let calls = 0;
    const r = await askBackground(() => {
      calls++;
      return Promise.reject(new Error('gone'));
    }, { attempts: 3, backoffMs: 1 });
    expect(r).toBeNull();
    expect(calls).toBe(3);
  });
  it('waits as long as a given list of waits says, one retry per wait', async () => {
    vi.useFakeTimers();
    try {
      let calls = 0;
      const pending = askBackground(() => {
        calls++;
        return Promise.reject(new Error('gone'));
      }, { waitsMs: [300, 700, 1200] });
      await vi.advanceTimersByTimeAsync(299);
      expect(calls).toBe(1);
      await vi.advanceTimersByTimeAsync(1 + 699);
      expect(calls).toBe(2);
      await vi.advanceTimersByTimeAsync(1 + 1199);
      expect(calls).toBe(3);
      await vi.advanceTimersByTimeAsync(1);
      expect(await pending).toBeNull();
      expect(calls).toBe(4);
    } finally {
      vi.useRealTimers();
    }
  });
  it('an answer that is not a Result is no answer (not retried: the background did reply)', async () => {
    let calls = 0;
    const r = await askBackground(() => {
      calls++;
      return Promise.resolve(undefined as unknown as Result<number>);
    });
    expect(r).toBeNull();
    expect(calls).toBe(1);
    expect(await askBackground(() => Promise.resolve({ ok: 'yes' } as unknown as Result<number>))).toBeNull();
  });
});
