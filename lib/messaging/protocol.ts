/**
 * Every message between Veil's contexts: its schema (checked on receipt) and who may send it.
 * The background treats all of them as hostile input. Roles come from the browser's sender
 * record (lib/messaging/sender.ts):
 *   content         — a content script on an enabled web page (acts only for its own tab/origin)
 *   extension-page  — Veil's own pages: popup/options (no tab) and frames inside a tab (tabId set)
 */
import * as v from 'valibot';
import type { Result } from './errors.ts';
import type { PostOutcome } from './delivery.ts';
import type { SenderRole } from './sender';
import type {
  BackupPreviewView,
  CallView,
  ComposeView,
  ContactView,
  FoundResult,
  KeyringView,
  MessageFrameView,
  TabView,
  VerificationView,
} from './views';

const str = (max: number) => v.pipe(v.string(), v.maxLength(max));
const nonEmpty = (max: number) => v.pipe(v.string(), v.minLength(1), v.maxLength(max));
const token = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{16,64}$/));
const passphrase = v.nullable(v.pipe(v.string(), v.minLength(1), v.maxLength(1024)));
const tabId = v.pipe(v.number(), v.integer(), v.minValue(0));
const site = nonEmpty(256);
const handle = nonEmpty(256);
const fingerprint = nonEmpty(256);

const count = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER));
const callRef = v.pipe(v.string(), v.regex(/^[A-Za-z0-9]{8,32}$/));
/** One side's ICE tag: lower-case hex SHA-256 (lib/calls/sdp.ts iceTag). */
const iceTag = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/));
const callDirection = v.strictObject({
  framesIn: count,
  protected: count,
  passthrough: count,
  dropped: count,
  drops: v.pipe(v.record(v.pipe(v.string(), v.maxLength(32)), count), v.check((r) => Object.keys(r).length <= 16, 'too many drop reasons')),
});
const callReport = v.strictObject({
  status: v.picklist(['not-encrypted', 'waiting-for-keys', 'encrypted', 'failing']),
  reason: v.nullable(str(200)),
  pipeline: v.picklist(['worker', 'main-thread', 'none']),
  keys: v.picklist(['unknown', 'no-session', 'requested', 'installed', 'refused']),
  strict: v.boolean(),
  send: callDirection,
  receive: callDirection,
  sendEpoch: v.nullable(count),
  receiveEpoch: v.nullable(count),
  peerEncrypting: v.boolean(),
  transforms: v.pipe(count, v.maxValue(64)),
});

/** Limits on what a content script may hand over in one call (bounded memory). */
export const FOUND_LIMITS = { items: 64, textChars: 16_384 } as const;

export const schemas = {
  // ── content script → background ────────────────────────────────────────────────────────────
  /** A content script announces itself and asks what the background knows about its tab. */
  'content:hello': v.strictObject({ href: str(4096), hookSeen: v.boolean() }),
  /** Where the page is: conversation, own handle, peer handle as read from the DOM. */
  'content:page-state': v.strictObject({
    conversationId: nonEmpty(512),
    selfHandle: v.nullable(handle),
    peerHandle: v.nullable(handle),
    profileFallback: v.boolean(),
    maxChars: v.pipe(v.number(), v.integer(), v.minValue(64), v.maxValue(100_000)),
    /** Armor alphabet the site profile asks for (default 'ascii'). */
    alphabet: v.optional(v.picklist(['ascii', 'dense'])),
  }),
  /** Armored text found in rendered messages (batched, debounced by the content script). */
  'content:found': v.strictObject({
    conversationId: nonEmpty(512),
    items: v.pipe(
      v.array(
        v.strictObject({
          key: nonEmpty(128),
          author: handle,
          text: str(FOUND_LIMITS.textChars),
          /** The same armored text is already shown by another message on the page (a replay). */
          duplicate: v.optional(v.boolean()),
        }),
      ),
      v.maxLength(FOUND_LIMITS.items),
    ),
  }),
  /** Ask for a compose frame token for the current conversation (lock button / shortcut). */
  'content:open-compose': v.strictObject({ conversationId: nonEmpty(512) }),

  // ── Veil frames inside a tab → background ─────────────────────────────────────────────────
  'frame:message': v.strictObject({ token }),
  'frame:compose-state': v.strictObject({ token }),
  'frame:compose-send': v.strictObject({ token, text: nonEmpty(65_536) }),
  'frame:start-encryption': v.strictObject({ token }),
  'frame:answer-query': v.strictObject({ token, accept: v.boolean() }),

  // ── popup / options → background ──────────────────────────────────────────────────────────
  'page:status': v.undefined(),
  'page:tab-state': v.strictObject({ tabId }),
  'page:start-encryption': v.strictObject({ tabId }),
  'keyring:state': v.undefined(),
  'keyring:create': v.strictObject({ passphrase }),
  'keyring:unlock': v.strictObject({ passphrase }),
  'keyring:lock': v.undefined(),
  'keyring:change-passphrase': v.strictObject({ current: passphrase, next: passphrase }),
  'keyring:set-settings': v.strictObject({
    autoLockMinutes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(10_080))),
    retentionDays: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(36_500))),
    strictCalls: v.optional(v.boolean()),
  }),
  'keyring:get-settings': v.undefined(),
  'contacts:list': v.undefined(),
  'contacts:verification': v.strictObject({ site, handle }),
  'contacts:mark-verified': v.strictObject({ site, handle, fingerprint }),
  'contacts:accept-key': v.strictObject({ site, handle, fingerprint }),
  'backup:export': v.strictObject({ passphrase: nonEmpty(1024) }),
  'backup:preview': v.strictObject({ file: str(2_000_000), passphrase: nonEmpty(1024) }),
  'backup:apply': v.strictObject({ previewId: token, replaceIdentity: v.boolean() }),
  'cache:forget-conversation': v.strictObject({ site, conversationId: nonEmpty(512) }),
  'cache:clear': v.undefined(),

  // ── calls (content = Veil's isolated call bridge; frame = the call overlay) ───────────────
  /** Settings the main-world call script needs before any call: strict mode. */
  'content:call-policy': v.undefined(),
  /**
   * Media keys for a call, bound to both sides' DTLS fingerprints and ICE tags (SHA-256 of each
   * side's ufrag+pwd, fresh per connection; from the first pair of descriptions). See lib/calls/sdp.ts.
   */
  'content:call-keys': v.strictObject({
    callRef: callRef,
    local: v.pipe(v.array(fingerprint), v.minLength(1), v.maxLength(8)),
    remote: v.pipe(v.array(fingerprint), v.minLength(1), v.maxLength(8)),
    localIce: iceTag,
    remoteIce: iceTag,
  }),
  /** What the main-world script measured: the truth shown in the overlay and the popup. */
  'content:call-status': v.strictObject({ callRef: callRef, report: callReport }),
  'content:call-ended': v.strictObject({ callRef: callRef }),
  'frame:call-state': v.undefined(),
  'page:call-state': v.strictObject({ tabId }),
} as const;

export type MessageType = keyof typeof schemas;
type In<T extends MessageType> = v.InferOutput<(typeof schemas)[T]>;

export interface HelloReply {
  tabId: number;
  origin: string;
  siteId: string | null;
  backgroundStartedAt: number;
  keyringState: KeyringView['state'];
}

export interface StatusReply {
  version: string;
  backgroundStartedAt: number;
  enabledOrigins: string[];
}

export interface SettingsView {
  autoLockMinutes: number;
  retentionDays: number;
  strictCalls: boolean;
}

/** The typed protocol map used with @webext-core/messaging. */
export interface VeilProtocol {
  'content:hello'(data: In<'content:hello'>): Result<HelloReply>;
  'content:page-state'(data: In<'content:page-state'>): Result<null>;
  'content:found'(data: In<'content:found'>): Result<FoundResult[]>;
  'content:open-compose'(data: In<'content:open-compose'>): Result<{ token: string }>;
  'frame:message'(data: In<'frame:message'>): Result<MessageFrameView>;
  'frame:compose-state'(data: In<'frame:compose-state'>): Result<ComposeView>;
  'frame:compose-send'(data: In<'frame:compose-send'>): Result<{ fragments: number }>;
  'frame:start-encryption'(data: In<'frame:start-encryption'>): Result<null>;
  'frame:answer-query'(data: In<'frame:answer-query'>): Result<null>;
  'page:status'(): Result<StatusReply>;
  'page:tab-state'(data: In<'page:tab-state'>): Result<TabView | null>;
  'page:start-encryption'(data: In<'page:start-encryption'>): Result<null>;
  'keyring:state'(): Result<KeyringView>;
  'keyring:create'(data: In<'keyring:create'>): Result<KeyringView>;
  'keyring:unlock'(data: In<'keyring:unlock'>): Result<KeyringView>;
  'keyring:lock'(): Result<KeyringView>;
  'keyring:change-passphrase'(data: In<'keyring:change-passphrase'>): Result<KeyringView>;
  'keyring:get-settings'(): Result<SettingsView>;
  'keyring:set-settings'(data: In<'keyring:set-settings'>): Result<SettingsView>;
  'contacts:list'(): Result<ContactView[]>;
  'contacts:verification'(data: In<'contacts:verification'>): Result<VerificationView>;
  'contacts:mark-verified'(data: In<'contacts:mark-verified'>): Result<ContactView>;
  'contacts:accept-key'(data: In<'contacts:accept-key'>): Result<ContactView>;
  'backup:export'(data: In<'backup:export'>): Result<{ file: string; fileName: string }>;
  'backup:preview'(data: In<'backup:preview'>): Result<BackupPreviewView>;
  'backup:apply'(data: In<'backup:apply'>): Result<{ summary: string }>;
  'cache:forget-conversation'(data: In<'cache:forget-conversation'>): Result<{ removed: number }>;
  'cache:clear'(): Result<null>;
  'content:call-policy'(): Result<{ strict: boolean }>;
  'content:call-keys'(data: In<'content:call-keys'>): Result<{ callId: string; sendChain: string; recvChain: string }>;
  'content:call-status'(data: In<'content:call-status'>): Result<null>;
  'content:call-ended'(data: In<'content:call-ended'>): Result<null>;
  'frame:call-state'(): Result<CallView | null>;
  'page:call-state'(data: In<'page:call-state'>): Result<CallView | null>;
  /** background → content script of one tab: post these texts through the site's own editor. */
  'tab:post'(data: { texts: string[]; reason: 'query' | 'handshake' | 'message' }): Result<PostOutcome>;
  /** background → content script: state changed (unlock, key accepted…), rescan the page. */
  'tab:refresh'(): Result<null>;
}

const CONTENT = ['content'] as const;
/** Frames are extension pages inside a tab; the guard additionally requires a tab id. */
const FRAME = ['extension-page'] as const;
const PAGE = ['extension-page'] as const;

/** Which sender roles may send each message type. */
export const allowedRoles: Record<MessageType, ReadonlyArray<SenderRole['kind']>> = {
  'content:hello': CONTENT,
  'content:page-state': CONTENT,
  'content:found': CONTENT,
  'content:open-compose': CONTENT,
  'frame:message': FRAME,
  'frame:compose-state': FRAME,
  'frame:compose-send': FRAME,
  'frame:start-encryption': FRAME,
  'frame:answer-query': FRAME,
  'page:status': PAGE,
  'page:tab-state': PAGE,
  'page:start-encryption': PAGE,
  'keyring:state': PAGE,
  'keyring:create': PAGE,
  'keyring:unlock': PAGE,
  'keyring:lock': PAGE,
  'keyring:change-passphrase': PAGE,
  'keyring:get-settings': PAGE,
  'keyring:set-settings': PAGE,
  'contacts:list': PAGE,
  'contacts:verification': PAGE,
  'contacts:mark-verified': PAGE,
  'contacts:accept-key': PAGE,
  'backup:export': PAGE,
  'backup:preview': PAGE,
  'backup:apply': PAGE,
  'cache:forget-conversation': PAGE,
  'cache:clear': PAGE,
  'content:call-policy': CONTENT,
  'content:call-keys': CONTENT,
  'content:call-status': CONTENT,
  'content:call-ended': CONTENT,
  'frame:call-state': FRAME,
  'page:call-state': PAGE,
};

/** Frame messages must come from a Veil frame embedded in a tab, not from the popup. */
export const requiresTab: ReadonlySet<MessageType> = new Set([
  'frame:message',
  'frame:compose-state',
  'frame:compose-send',
  'frame:start-encryption',
  'frame:answer-query',
  'frame:call-state',
]);

/** Popup/options-only: user actions that must never come from a frame placed in a page. */
export const requiresNoTab: ReadonlySet<MessageType> = new Set([
  'keyring:create',
  'keyring:unlock',
  'keyring:change-passphrase',
  'keyring:set-settings',
  'contacts:mark-verified',
  'contacts:accept-key',
  'backup:export',
  'backup:preview',
  'backup:apply',
  'cache:forget-conversation',
  'cache:clear',
]);
