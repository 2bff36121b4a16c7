/**
 * One call to the background that never throws. The transport rejects while the background
 * restarts (Chrome stops idle service workers, Firefox suspends idle event pages), so a rejected
 * call is tried again after a short, growing wait, `attempts` times in all. null means no answer
 * (callers degrade and try later). Nothing is logged: message contents never reach a page's console.
 */
import type { Result } from './errors.ts';

export interface AskOptions {
  attempts?: number;
  /** Wait before retry n (1-based) is n × backoffMs. */
  backoffMs?: number;
  /** The waits before each retry, instead of attempts × backoffMs. */
  waitsMs?: readonly number[];
}

function isResult(v: unknown): v is Result<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { ok?: unknown }).ok === 'boolean';
}

export async function askBackground<R>(call: () => Promise<Result<R>>, { attempts = 2, backoffMs = 300, waitsMs }: AskOptions = {}): Promise<Result<R> | null> {
  const waits = waitsMs ?? Array.from({ length: attempts - 1 }, (_, i) => backoffMs * (i + 1));
  for (let attempt = 0; attempt <= waits.length; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, waits[attempt - 1]));
    try {
      const reply: unknown = await call();
      return isResult(reply) ? (reply as Result<R>) : null;
    } catch {
      // Transport failure (the background is restarting): try again after the next wait.
    }
  }
  return null;
}
