/** Delivery of armored texts to the page: retried, resumed after what went out, never dropped silently. */
import { describe, expect, it } from 'vitest';
import { deliverTexts, type PostAttempt, type PostOutcome } from '../../../lib/messaging/delivery';
import { fail, ok } from '../../../lib/result';
import type { Result } from '../../../lib/messaging/errors';

/** A page that answers from a script of replies and records what it was asked to post. */
function page(replies: Array<(texts: string[]) => Result<PostOutcome> | null | 'throw'>) {
  const asked: string[][] = [];
  const attempt: PostAttempt = async (texts) => {
    asked.push(texts);
    const r = (replies[asked.length - 1] ?? replies[replies.length - 1]!)(texts);
    if (r === 'throw') throw new Error('Could not establish connection. Receiving end does not exist.');
    return r;
  };
  return { attempt, asked };
}
const waits: number[] = [];
const opts = { sleep: async (ms: number) => void waits.push(ms) };

describe('deliverTexts', () => {
  it('posts everything in one attempt when the page takes it', async () => {
    const p = page([(t) => ok({ posted: t.length, error: null })]);
    expect(await deliverTexts(['a', 'b'], p.attempt, opts)).toEqual({ delivered: 2, of: 2, error: null });
    expect(p.asked).toEqual([['a', 'b']]);
  });

  it('retries a page that did not answer or threw, then succeeds', async () => {
    waits.length = 0;
    const p = page([() => null, () => 'throw', (t) => ok({ posted: t.length, error: null })]);
    expect(await deliverTexts(['a'], p.attempt, opts)).toEqual({ delivered: 1, of: 1, error: null });
    expect(p.asked.length).toBe(3);
    expect(waits).toEqual([1000, 3000]);
  });

  it('resumes after the parts already posted: no part goes out twice', async () => {
    const p = page([() => ok({ posted: 1, error: { code: 'internal', message: 'the site did not send' } }), (t) => ok({ posted: t.length, error: null })]);
    expect(await deliverTexts(['p1', 'p2', 'p3'], p.attempt, opts)).toEqual({ delivered: 3, of: 3, error: null });
    expect(p.asked).toEqual([['p1', 'p2', 'p3'], ['p2', 'p3']]);
  });

  it('reports the last reason after every attempt failed', async () => {
    const p = page([() => ok({ posted: 0, error: { code: 'not-found', message: "the site's message input was not found" } })]);
    const r = await deliverTexts(['a'], p.attempt, opts);
    expect(r).toEqual({ delivered: 0, of: 1, error: { code: 'not-found', message: "the site's message input was not found" } });
    expect(p.asked.length).toBe(4);
  });

  it('does not retry what cannot succeed', async () => {
    const p = page([() => ok({ posted: 0, error: { code: 'too-long', message: 'text 1 is too long' } })]);
    expect((await deliverTexts(['a'], p.attempt, opts)).error?.code).toBe('too-long');
    const d = page([() => ok({ posted: 0, error: { code: 'blocked', message: "the site's message box holds text typed there" } })]);
    expect((await deliverTexts(['a'], d.attempt, opts)).error?.code).toBe('blocked');
    expect(d.asked.length).toBe(1);
    const q = page([() => fail('forbidden-sender', 'not from Veil')]);
    expect((await deliverTexts(['a'], q.attempt, opts)).error?.code).toBe('forbidden-sender');
    expect(p.asked.length + q.asked.length).toBe(2);
  });

  it('does not believe a reply that claims more (or nonsense) was posted', async () => {
    const p = page([() => ok({ posted: 99, error: null })]);
    expect(await deliverTexts(['a', 'b'], p.attempt, opts)).toEqual({ delivered: 2, of: 2, error: null });
    const q = page([() => ok({ posted: -5, error: null }), () => ok({ posted: Number.NaN, error: null }), (t) => ok({ posted: t.length, error: null })]);
    const r = await deliverTexts(['a'], q.attempt, opts);
    expect(r.delivered).toBe(1);
    expect(q.asked).toEqual([['a'], ['a'], ['a']]);
  });

  it('an ok reply with nothing posted and no reason still counts as a failure', async () => {
    const p = page([() => ok({ posted: 0, error: null })]);
    const r = await deliverTexts(['a'], p.attempt, opts);
    expect(r.delivered).toBe(0);
    expect(r.error?.code).toBe('internal');
  });
});
