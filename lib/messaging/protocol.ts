/**
 * The message table: every message between Veil's contexts, one entry each, saying who may send
 * it (with its tab rule), the schema its body must pass and the type of its reply. The guard
 * (handle.ts) derives every check from this table and hands the handler a sender narrowed to
 * what the entry allows; the messenger's protocol map is derived from it too. To add a message:
 * one entry here, one handler in the service that answers it.
 *
 * Every message is hostile input to the side that receives it. Who sent it comes from the
 * browser's sender record (sender.ts), never from the body.
 */
import * as v from 'valibot';
import type { Result } from './errors.ts';
import type { PostOutcome } from './delivery.ts';
import type { SenderRole } from './sender.ts';
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
} from './views.ts';

const str = (max: number) => v.pipe(v.string(), v.maxLength(max));
const nonEmpty = (max: number) => v.pipe(v.string(), v.minLength(1), v.maxLength(max));
const token = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{16,64}$/));
const passphrase = v.nullable(v.pipe(v.string(), v.minLength(1), v.maxLength(1024)));
const tabId = v.pipe(v.number(), v.integer(), v.minValue(0));
const site = nonEmpty(256);
const handle = nonEmpty(256);
const fingerprint = nonEmpty(256);
const none = v.undefined();

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
/** Limits on one tab:post request (the content script checks the background's message too). */
export const POST_LIMITS = { texts: 64, textChars: 100_000 } as const;

// ── Senders ─────────────────────────────────────────────────────────────────────────────────

/** Veil's own top-level pages: the only places a person acts on the keyring. */
export const USER_PAGES: ReadonlySet<string> = new Set(['/popup.html', '/options.html']);
const FRAME_PAGE = '/frame.html';

type Content = Extract<SenderRole, { kind: 'content' }>;
type ExtensionPage = Extract<SenderRole, { kind: 'extension-page' }>;

/** Each kind of sender a table entry may name, and the sender its handler then receives. */
export interface Senders {
  /** A content script on a web page, in any frame of its tab. */
  content: Content;
  /** A content script in its tab's top frame (calls: the call hook runs there only). */
  'top-content': Content & { frameId: 0 };
  /** A Veil frame (frame.html) placed in a tab: it acts for that tab only. */
  frame: ExtensionPage & { tabId: number };
  /** Any of Veil's own pages: popup, settings, or a frame. */
  page: ExtensionPage;
  /** The popup or the settings page, never a frame inside a web page: a person's own action. */
  'user-page': ExtensionPage;
  /** Veil's background, to a content script. */
  background: { kind: 'background' };
}
export type SenderKind = keyof Senders;

/** Narrows a classified sender to what `kind` allows; a reason when it does not fit. */
export function senderAs<K extends Exclude<SenderKind, 'background'>>(kind: K, role: SenderRole): { ok: true; sender: Senders[K] } | { ok: false; reason: string } {
  const no = (reason: string) => ({ ok: false as const, reason });
  const yes = (sender: SenderRole) => ({ ok: true as const, sender: sender as Senders[K] });
  switch (kind) {
    case 'content':
      return role.kind === 'content' ? yes(role) : no('only a content script may send this');
    case 'top-content':
      if (role.kind !== 'content') return no('only a content script may send this');
      return role.frameId === 0 ? yes(role) : no("only the top frame's content script may send this");
    case 'frame':
      if (role.kind !== 'extension-page') return no('only a Veil frame may send this');
      return role.path === FRAME_PAGE && role.tabId !== null ? yes(role) : no('only accepted from a Veil frame in a tab');
    case 'page':
      return role.kind === 'extension-page' ? yes(role) : no('only a Veil page may send this');
    case 'user-page':
      if (role.kind !== 'extension-page') return no('only a Veil page may send this');
      return USER_PAGES.has(role.path) ? yes(role) : no('only accepted from the popup or settings');
  }
  return no('unknown sender kind');
}

// ── The table ───────────────────────────────────────────────────────────────────────────────

/** A reply type named in the table (a type only: replies are the handler's own values). */
interface Reply<T> {
  readonly reply?: T;
}
const reply = <T>(): Reply<T> => ({});

interface Entry<F extends SenderKind, S extends v.GenericSchema, R> {
  from: F;
  body: S;
  reply: Reply<R>;
}
const message = <F extends SenderKind, S extends v.GenericSchema, R>(e: Entry<F, S, R>): Entry<F, S, R> => e;

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

export const messages = {
  // ── content script → background ──────────────────────────────────────────────────────────
  /** A content script announces itself and asks what the background knows about its tab. */
  'content:hello': message({ from: 'content', body: v.strictObject({ href: str(4096), hookSeen: v.boolean() }), reply: reply<HelloReply>() }),
  /** Where the page is: conversation, own handle, peer handle as read from the DOM. */
  'content:page-state': message({
    from: 'content',
    body: v.strictObject({
      conversationId: nonEmpty(512),
      selfHandle: v.nullable(handle),
      peerHandle: v.nullable(handle),
      profileFallback: v.boolean(),
      maxChars: v.pipe(v.number(), v.integer(), v.minValue(64), v.maxValue(100_000)),
      /** Armor alphabet the site profile asks for (default 'ascii'). */
      alphabet: v.optional(v.picklist(['ascii', 'dense'])),
    }),
    reply: reply<null>(),
  }),
  /** Armored text found in rendered messages (batched, debounced by the content script). */
  'content:found': message({
    from: 'content',
    body: v.strictObject({
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
    reply: reply<FoundResult[]>(),
  }),
  /** Ask for a compose frame token for the current conversation (lock button / shortcut). */
  'content:open-compose': message({ from: 'content', body: v.strictObject({ conversationId: nonEmpty(512) }), reply: reply<{ token: string }>() }),

  // ── Veil frames inside a tab → background ────────────────────────────────────────────────
  'frame:message': message({ from: 'frame', body: v.strictObject({ token }), reply: reply<MessageFrameView>() }),
  'frame:compose-state': message({ from: 'frame', body: v.strictObject({ token }), reply: reply<ComposeView>() }),
  'frame:compose-send': message({ from: 'frame', body: v.strictObject({ token, text: nonEmpty(65_536) }), reply: reply<{ fragments: number }>() }),
  'frame:start-encryption': message({ from: 'frame', body: v.strictObject({ token }), reply: reply<null>() }),
  'frame:answer-query': message({ from: 'frame', body: v.strictObject({ token, accept: v.boolean() }), reply: reply<null>() }),

  // ── popup / options (and frames, where any Veil page may ask) → background ───────────────
  'page:status': message({ from: 'page', body: none, reply: reply<StatusReply>() }),
  'page:tab-state': message({ from: 'page', body: v.strictObject({ tabId }), reply: reply<TabView | null>() }),
  'page:start-encryption': message({ from: 'page', body: v.strictObject({ tabId }), reply: reply<null>() }),
  'keyring:state': message({ from: 'page', body: none, reply: reply<KeyringView>() }),
  'keyring:create': message({ from: 'user-page', body: v.strictObject({ passphrase }), reply: reply<KeyringView>() }),
  'keyring:unlock': message({ from: 'user-page', body: v.strictObject({ passphrase }), reply: reply<KeyringView>() }),
  /** Locking is always safe, so any Veil page may ask (a message frame's lock button, too). */
  'keyring:lock': message({ from: 'page', body: none, reply: reply<KeyringView>() }),
  'keyring:change-passphrase': message({ from: 'user-page', body: v.strictObject({ current: passphrase, next: passphrase }), reply: reply<KeyringView>() }),
  'keyring:get-settings': message({ from: 'page', body: none, reply: reply<SettingsView>() }),
  'keyring:set-settings': message({
    from: 'user-page',
    body: v.strictObject({
      autoLockMinutes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(10_080))),
      retentionDays: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(36_500))),
      strictCalls: v.optional(v.boolean()),
    }),
    reply: reply<SettingsView>(),
  }),
  'contacts:list': message({ from: 'page', body: none, reply: reply<ContactView[]>() }),
  'contacts:verification': message({ from: 'page', body: v.strictObject({ site, handle }), reply: reply<VerificationView>() }),
  'contacts:mark-verified': message({ from: 'user-page', body: v.strictObject({ site, handle, fingerprint }), reply: reply<ContactView>() }),
  'contacts:accept-key': message({ from: 'user-page', body: v.strictObject({ site, handle, fingerprint }), reply: reply<ContactView>() }),
  'backup:export': message({ from: 'user-page', body: v.strictObject({ passphrase: nonEmpty(1024) }), reply: reply<{ file: string; fileName: string }>() }),
  'backup:preview': message({ from: 'user-page', body: v.strictObject({ file: str(2_000_000), passphrase: nonEmpty(1024) }), reply: reply<BackupPreviewView>() }),
  'backup:apply': message({ from: 'user-page', body: v.strictObject({ previewId: token, replaceIdentity: v.boolean() }), reply: reply<{ summary: string }>() }),
  'cache:forget-conversation': message({ from: 'user-page', body: v.strictObject({ site, conversationId: nonEmpty(512) }), reply: reply<{ removed: number }>() }),
  'cache:clear': message({ from: 'user-page', body: none, reply: reply<null>() }),

  // ── calls (content = Veil's isolated call bridge; frame = the call overlay) ─────────────
  /** Settings the main-world call script needs before any call: strict mode. */
  'content:call-policy': message({ from: 'content', body: none, reply: reply<{ strict: boolean }>() }),
  /**
   * Media keys for a call, bound to both sides' DTLS fingerprints and ICE tags (SHA-256 of each
   * side's ufrag+pwd, fresh per connection; from the first pair of descriptions). See lib/calls/sdp.ts.
   */
  'content:call-keys': message({
    from: 'top-content',
    body: v.strictObject({
      callRef: callRef,
      local: v.pipe(v.array(fingerprint), v.minLength(1), v.maxLength(8)),
      remote: v.pipe(v.array(fingerprint), v.minLength(1), v.maxLength(8)),
      localIce: iceTag,
      remoteIce: iceTag,
    }),
    reply: reply<{ callId: string; sendChain: string; recvChain: string }>(),
  }),
  /** What the main-world script measured: the truth shown in the overlay and the popup. */
  'content:call-status': message({ from: 'top-content', body: v.strictObject({ callRef: callRef, report: callReport }), reply: reply<null>() }),
  'content:call-ended': message({ from: 'top-content', body: v.strictObject({ callRef: callRef }), reply: reply<null>() }),
  'frame:call-state': message({ from: 'frame', body: none, reply: reply<CallView | null>() }),
  'page:call-state': message({ from: 'page', body: v.strictObject({ tabId }), reply: reply<CallView | null>() }),

  // ── background → the content script of one tab ───────────────────────────────────────────
  /** Post these texts through the site's own editor, in order. */
  'tab:post': message({
    from: 'background',
    body: v.strictObject({
      texts: v.pipe(v.array(v.pipe(v.string(), v.minLength(1), v.maxLength(POST_LIMITS.textChars))), v.minLength(1), v.maxLength(POST_LIMITS.texts)),
      reason: v.picklist(['query', 'handshake', 'message']),
    }),
    reply: reply<PostOutcome>(),
  }),
  /** State changed (unlock, key accepted…): look at every armored message again. */
  'tab:refresh': message({ from: 'background', body: none, reply: reply<null>() }),
} as const;

type Messages = typeof messages;
export type MessageType = keyof Messages;
/** The messages the background answers; the rest (from: 'background') content scripts answer. */
export type BackgroundMessage = { [T in MessageType]: Messages[T]['from'] extends 'background' ? never : T }[MessageType];
export type ContentMessage = Exclude<MessageType, BackgroundMessage>;
export type BodyOf<T extends MessageType> = v.InferOutput<Messages[T]['body']>;
export type ReplyOf<T extends MessageType> = Messages[T]['reply'] extends Reply<infer R> ? R : never;
export type SenderOf<T extends MessageType> = Senders[Messages[T]['from']];

/** The typed protocol map used with @webext-core/messaging, derived from the table. */
export type VeilProtocol = { [T in MessageType]: (data: BodyOf<T>) => Result<ReplyOf<T>> };

/** Each message's body schema (a view of the table, e.g. for schema tests). */
export const schemas = Object.fromEntries(Object.entries(messages).map(([type, m]) => [type, m.body])) as { [T in MessageType]: Messages[T]['body'] };
