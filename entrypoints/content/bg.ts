/**
 * Calls to the background that never throw. Null means the background did not answer (restarting,
 * or not handling that message yet): callers degrade and retry later. Nothing is logged, so
 * message contents never reach the page's console.
 */
import type { Result } from '../../lib/messaging';

const RETRY_AFTER_MS = 300;

function isResult(v: unknown): v is Result<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { ok?: unknown }).ok === 'boolean';
}

export async function ask<R>(call: () => Promise<Result<R>>): Promise<Result<R> | null> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const reply: unknown = await call();
      return isResult(reply) ? (reply as Result<R>) : null;
    } catch {
      // The transport rejects while a service worker restarts: one retry, as the contract says.
      if (attempt === 0) await new Promise((r) => setTimeout(r, RETRY_AFTER_MS));
    }
  }
  return null;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
