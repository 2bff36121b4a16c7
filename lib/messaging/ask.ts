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
}

function isResult(v: unknown): v is Result<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { ok?: unknown }).ok === 'boolean';
}

export async function askBackground<R>(call: () => Promise<Result<R>>, { attempts = 2, backoffMs = 300 }: AskOptions = {}): Promise<Result<R> | null> {
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const reply: unknown = await call();
      return isResult(reply) ? (reply as Result<R>) : null;
    } catch {
      if (attempt < attempts) await new Promise((r) => setTimeout(r, backoffMs * attempt));
    }
  }
  return null;
}
