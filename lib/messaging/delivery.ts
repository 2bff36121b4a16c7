/**
 * Getting armored texts onto the page: the content script posts them through the site's editor,
 * and that can fail for a while (the page is still loading or navigating, the editor is busy, the
 * site did not send). A text that never reaches the page is a message the peer never gets — or a
 * key agreement that stalls at "waiting" forever — so failures are retried, resuming after the
 * parts the page reported as sent, and a final failure is reported, never dropped. (A site that
 * sends later than the content script waits for can get a part twice; the peer's Veil shows the
 * message once and flags the copy as a possible replay.)
 */
import type { Result, VeilError } from './errors.ts';

/** The content script's answer to one post request: how many texts went out, and why it stopped. */
export interface PostOutcome {
  posted: number;
  error: VeilError | null;
}

/** One post request to the page; null when the page did not answer at all. */
export type PostAttempt = (texts: string[]) => Promise<Result<PostOutcome> | null>;

export interface DeliveryResult {
  delivered: number;
  of: number;
  /** Why the rest did not go out (null when everything did). */
  error: VeilError | null;
}

/** Waits before each further attempt: the page gets ~12 s in all to become ready. */
export const RETRY_WAITS_MS = [1000, 3000, 8000] as const;

/** Errors that another attempt cannot fix ('blocked': the user's own draft is in the site's box). */
const FINAL: ReadonlySet<VeilError['code']> = new Set(['too-long', 'invalid-message', 'forbidden-sender', 'blocked']);

export async function deliverTexts(
  texts: readonly string[],
  attempt: PostAttempt,
  { waitsMs = RETRY_WAITS_MS, sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) }: { waitsMs?: readonly number[]; sleep?: (ms: number) => Promise<void> } = {},
): Promise<DeliveryResult> {
  let delivered = 0;
  let error: VeilError | null = null;
  if (texts.length === 0) return { delivered, of: 0, error };
  for (let i = 0; i <= waitsMs.length; i++) {
    if (i > 0) await sleep(waitsMs[i - 1]!);
    const reply = await attempt(texts.slice(delivered)).catch(() => null);
    if (reply === null) {
      error = { code: 'not-found', message: 'the page did not answer (is it still open?)' };
      continue;
    }
    if (!reply.ok) {
      error = reply.error;
    } else {
      // A reply claiming more than was asked is not believed beyond what was asked.
      const posted = Number.isSafeInteger(reply.value.posted) ? reply.value.posted : 0;
      delivered = Math.min(texts.length, delivered + Math.max(0, posted));
      error = delivered === texts.length ? null : (reply.value.error ?? { code: 'internal', message: 'the page posted only part of it' });
      if (!error) break;
    }
    if (FINAL.has(error.code)) break;
  }
  return { delivered, of: texts.length, error };
}
