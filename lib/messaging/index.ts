import { defineExtensionMessaging } from '@webext-core/messaging';
import type { VeilProtocol } from './protocol';

export { guardHandler, type HandlerContext } from './handle';
export { schemas, allowedRoles, type VeilProtocol, type MessageType } from './protocol';
export { classifySender, originOf, type RawSender, type SenderRole } from './sender';
export { ok, fail } from '../result.ts';
export type { Result, VeilError, VeilErrorCode } from './errors.ts';
export { askBackground, type AskOptions } from './ask';

/** One messenger for all contexts; logging off so message contents never reach consoles. */
export const messenger = defineExtensionMessaging<VeilProtocol>({ logger: undefined });
