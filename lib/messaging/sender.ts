/**
 * Who sent a runtime message. The background decides what a message may do from the browser's
 * own sender record, never from anything the message claims about itself.
 */
import { fail, ok } from '../result.ts';
import type { Result } from './errors.ts';

/** The subset of runtime.MessageSender we rely on (same shape in Chrome and Firefox). */
export interface RawSender {
  id?: string;
  url?: string;
  origin?: string;
  frameId?: number;
  tab?: { id?: number; url?: string };
}

export type SenderRole =
  /** A content script: acts only for its own tab and the origin of the frame it runs in. */
  | { kind: 'content'; tabId: number; frameId: number; origin: string }
  /** One of Veil's own pages (popup, options, compose/message frames). */
  | { kind: 'extension-page'; path: string; tabId: number | null };

export function originOf(url: string | undefined): string | null {
  if (typeof url !== 'string') return null;
  try {
    const u = new URL(url);
    // URL.origin is "null" for non-special schemes in some engines (chrome-extension: in Node).
    if (u.protocol === 'chrome-extension:' || u.protocol === 'moz-extension:') return u.host ? `${u.protocol}//${u.host}` : null;
    return u.origin === 'null' ? null : u.origin;
  } catch {
    return null;
  }
}

export function classifySender(
  sender: RawSender | undefined,
  extensionId: string,
  extensionOrigin: string,
): Result<SenderRole> {
  if (!sender || sender.id !== extensionId) {
    return fail('forbidden-sender', 'message did not come from this extension');
  }
  const origin = originOf(sender.url);
  if (!origin) return fail('forbidden-sender', 'sender has no usable URL');
  const tabId = typeof sender.tab?.id === 'number' && sender.tab.id >= 0 ? sender.tab.id : null;
  if (origin === extensionOrigin) {
    return ok({ kind: 'extension-page', path: new URL(sender.url!).pathname, tabId });
  }
  if (!/^https?:$/.test(new URL(sender.url!).protocol)) {
    return fail('forbidden-sender', 'content scripts only run on http(s) pages');
  }
  if (tabId === null) return fail('forbidden-sender', 'content script message without a tab');
  return ok({ kind: 'content', tabId, frameId: sender.frameId ?? 0, origin });
}
