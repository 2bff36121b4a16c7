/**
 * Wraps a background handler so that schema and sender are checked before it runs and no
 * exception ever crosses the boundary: the caller always gets a typed Result.
 */
import * as v from 'valibot';
import { allowedRoles, requiresNoTab, requiresTab, schemas, type MessageType } from './protocol';
import { fail } from '../result.ts';
import type { Result } from './errors.ts';
import { classifySender, type RawSender, type SenderRole } from './sender';

export interface HandlerContext {
  extensionId: string;
  extensionOrigin: string;
}

export function guardHandler<T extends MessageType, R>(
  type: T,
  ctx: HandlerContext,
  handler: (data: v.InferOutput<(typeof schemas)[T]>, role: SenderRole) => Promise<Result<R>> | Result<R>,
): (message: { data: unknown; sender: RawSender }) => Promise<Result<R>> {
  return async (message) => {
    const role = classifySender(message.sender, ctx.extensionId, ctx.extensionOrigin);
    if (!role.ok) return role;
    if (!allowedRoles[type].includes(role.value.kind)) {
      return fail('forbidden-sender', `${role.value.kind} may not send ${type}`);
    }
    if (role.value.kind === 'extension-page') {
      // A Veil frame lives inside a tab; the popup and options page do not (when opened as the
      // toolbar popup). Options opened in a tab is still our own top-level page: path decides.
      const isFrame = role.value.path === '/frame.html';
      if (requiresTab.has(type) && (!isFrame || role.value.tabId === null)) {
        return fail('forbidden-sender', `${type} is only accepted from a Veil frame in a tab`);
      }
      if (requiresNoTab.has(type) && isFrame) {
        return fail('forbidden-sender', `${type} is only accepted from the popup or settings`);
      }
    }
    const parsed = v.safeParse(schemas[type], message.data);
    if (!parsed.success) {
      return fail('invalid-message', `${type}: ${parsed.issues[0]?.message ?? 'invalid'}`);
    }
    try {
      return await handler(parsed.output, role.value);
    } catch (e) {
      // Never leak internals across the boundary; keep the reason short.
      return fail('internal', e instanceof Error ? e.message.slice(0, 200) : 'internal error');
    }
  };
}
