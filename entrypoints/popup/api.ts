/**
 * The popup's and settings page's calls to the background. Every reply is a Result; a transport
 * failure (the background restarting) is retried once, then turned into a Result too.
 */
import type { GetDataType, GetReturnType } from '@webext-core/messaging';
import { fail, messenger, type MessageType, type VeilProtocol } from '../../lib/messaging';

type Data<T extends MessageType> = GetDataType<VeilProtocol[T]>;
type Reply<T extends MessageType> = GetReturnType<VeilProtocol[T]>;

const RETRY_DELAY_MS = 300;

export async function call<T extends MessageType>(type: T, data: Data<T>): Promise<Reply<T>> {
  const send = messenger.sendMessage as unknown as (t: T, d: Data<T>) => Promise<Reply<T>>;
  try {
    return await send(type, data);
  } catch {
    await new Promise((r) => setTimeout(r, RETRY_DELAY_MS));
    try {
      return await send(type, data);
    } catch {
      return fail('internal', 'Veil’s background is not answering. Close and reopen this window.') as Reply<T>;
    }
  }
}
