/**
 * Every message between Veil's contexts: its schema (checked on receipt) and who may send it.
 * The background treats all of them as hostile input.
 */
import * as v from 'valibot';
import type { Result } from './result';
import type { SenderRole } from './sender';

const shortString = (max: number) => v.pipe(v.string(), v.maxLength(max));

export const schemas = {
  /** A content script announces itself and asks what the background knows about its tab. */
  'content:hello': v.strictObject({ href: shortString(4096), hookSeen: v.boolean() }),
  /** An extension page asks for the background's health. */
  'page:status': v.undefined(),
} as const;

export type MessageType = keyof typeof schemas;

export interface HelloReply {
  tabId: number;
  origin: string;
  siteId: string | null;
  backgroundStartedAt: number;
}

export interface StatusReply {
  version: string;
  backgroundStartedAt: number;
  enabledOrigins: string[];
}

/** The typed protocol map used with @webext-core/messaging. */
export interface VeilProtocol {
  'content:hello'(data: v.InferOutput<(typeof schemas)['content:hello']>): Result<HelloReply>;
  'page:status'(): Result<StatusReply>;
}

/** Which sender roles may send each message type. */
export const allowedRoles: Record<MessageType, ReadonlyArray<SenderRole['kind']>> = {
  'content:hello': ['content'],
  'page:status': ['extension-page'],
};
