/**
 * The guard around every handler, derived from the message table (protocol.ts): the sender is
 * checked against the entry's `from` and narrowed, the body against its schema, and no exception
 * ever crosses the boundary: the caller always gets a typed Result. Handlers are registered in
 * one loop over a map keyed by message type.
 */
import * as v from 'valibot';
import { fail } from '../result.ts';
import type { Result } from './errors.ts';
import { messages, senderAs, type BackgroundMessage, type BodyOf, type ContentMessage, type MessageType, type ReplyOf, type SenderOf } from './protocol.ts';
import { classifySender, type RawSender, type SenderRole } from './sender.ts';

export interface HandlerContext {
  extensionId: string;
  extensionOrigin: string;
}

type MaybePromise<T> = T | Promise<T>;

/** What a handler gets: the validated body, and the sender narrowed to the entry's `from`. */
export type Handler<T extends MessageType, R = ReplyOf<T>> = (data: BodyOf<T>, sender: SenderOf<T>) => MaybePromise<Result<R>>;
/** Handlers keyed by the message they answer. */
export type Handlers<K extends MessageType> = { [T in K]: Handler<T> };
/** A guarded handler, as the messenger calls it. */
export type Guarded<R> = (message: { data: unknown; sender: RawSender }) => Promise<Result<R>>;

async function run<T extends MessageType, R>(type: T, data: unknown, handle: (body: BodyOf<T>) => MaybePromise<Result<R>>): Promise<Result<R>> {
  const parsed = v.safeParse(messages[type].body, data);
  if (!parsed.success) return fail('invalid-message', `${type}: ${parsed.issues[0]?.message ?? 'invalid'}`);
  try {
    return await handle(parsed.output as BodyOf<T>);
  } catch (e) {
    // Never leak internals across the boundary; keep the reason short.
    return fail('internal', e instanceof Error ? e.message.slice(0, 200) : 'internal error');
  }
}

/** Guards a background handler: sender kind and tab rule, then schema, then the handler. */
export function guardHandler<T extends BackgroundMessage, R>(type: T, ctx: HandlerContext, handler: Handler<T, R>): Guarded<R> {
  return async (message) => {
    const role = classifySender(message.sender, ctx.extensionId, ctx.extensionOrigin);
    if (!role.ok) return role;
    const sender = senderAs(messages[type].from, role.value);
    if (!sender.ok) return fail('forbidden-sender', `${type}: ${sender.reason}`);
    return run(type, message.data, (body) => handler(body, sender.sender as SenderOf<T>));
  };
}

/** Guards a content script's handler of a background message: from this extension, schema, handler. */
export function guardFromBackground<T extends ContentMessage, R>(type: T, extensionId: string, handler: Handler<T, R>): Guarded<R> {
  return async (message) => {
    if (message.sender?.id !== extensionId) return fail('forbidden-sender', `${type}: not from Veil`);
    return run(type, message.data, (body) => handler(body, { kind: 'background' } as SenderOf<T>));
  };
}

/** The messenger's registration call, as registerHandlers uses it. */
export interface MessageRegistrar {
  onMessage(type: never, listener: (message: { data: unknown; sender: RawSender }) => unknown): unknown;
}

/** Every handler of the map behind its guard, keyed the same way. */
export function guardAll<K extends BackgroundMessage>(ctx: HandlerContext, handlers: Handlers<K>): { [T in K]: Guarded<ReplyOf<T>> } {
  const out: Partial<Record<K, Guarded<unknown>>> = {};
  for (const type of Object.keys(handlers) as K[]) out[type] = guardHandler(type, ctx, handlers[type] as Handler<K, unknown>);
  return out as { [T in K]: Guarded<ReplyOf<T>> };
}

/** Registers every handler of the map, each behind its guard: one loop, each name written once. */
export function registerHandlers<K extends BackgroundMessage>(messenger: MessageRegistrar, ctx: HandlerContext, handlers: Handlers<K>): void {
  const guarded = guardAll(ctx, handlers);
  for (const type of Object.keys(guarded) as K[]) (messenger.onMessage as (t: K, l: Guarded<unknown>) => unknown)(type, guarded[type]);
}

export type { SenderRole };
