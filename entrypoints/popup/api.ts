/**
 * The popup's and settings page's calls to the background. Every reply is a Result; a transport
 * failure (the background restarting) is retried (askBackground), then turned into a Result too.
 */
import type { GetDataType, GetReturnType } from '@webext-core/messaging';
import { askBackground, fail, messenger, type MessageType, type Result, type VeilProtocol } from '../../lib/messaging';

type Data<T extends MessageType> = GetDataType<VeilProtocol[T]>;
type Reply<T extends MessageType> = GetReturnType<VeilProtocol[T]>;

/** Waits before each retry. Firefox can suspend its event page in the middle of a slow call
 *  (a passphrase check); the next attempt wakes a fresh background, which resumes from storage. */
const RETRY_WAITS_MS = [300, 700, 1200];

export async function call<T extends MessageType>(type: T, data: Data<T>): Promise<Reply<T>> {
  const send = messenger.sendMessage as unknown as (t: T, d: Data<T>) => Promise<Result<unknown>>;
  const reply = await askBackground(() => send(type, data), { waitsMs: RETRY_WAITS_MS });
  return (reply ?? fail('internal', 'Veil’s background is not answering. Close and reopen this window.')) as Reply<T>;
}
