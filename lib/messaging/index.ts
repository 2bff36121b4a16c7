import { defineExtensionMessaging } from '@webext-core/messaging';
import type { VeilProtocol } from './protocol';

export { guardAll, guardFromBackground, guardHandler, registerHandlers, type Guarded, type Handler, type HandlerContext, type Handlers, type MessageRegistrar } from './handle';
export {
  messages,
  schemas,
  USER_PAGES,
  type BackgroundMessage,
  type ContentMessage,
  type BodyOf,
  type MessageType,
  type ReplyOf,
  type SenderOf,
  type Senders,
  type VeilProtocol,
} from './protocol';
export { classifySender, originOf, type RawSender, type SenderRole } from './sender';
export { ok, fail } from '../result.ts';
export type { Result, VeilError, VeilErrorCode } from './errors.ts';
export { askBackground, type AskOptions } from './ask';

/** One messenger for all contexts; logging off so message contents never reach consoles. */
export const messenger = defineExtensionMessaging<VeilProtocol>({ logger: undefined });
