/**
 * What the background tells Veil's pages and content scripts: plain view models, JSON-safe.
 * Plaintext appears only in views sent to extension pages (frames, popup), never to content.
 */

export type KeyringStateView = 'uninitialized' | 'locked' | 'unlocked';

export interface KeyringView {
  state: KeyringStateView;
  hasPassphrase: boolean | null;
  /** Own identity fingerprint (grouped hex) once unlocked and created. */
  fingerprint: string | null;
  autoLockMinutes: number | null;
}

/** Badge on a decrypted message or a conversation. */
export type Badge = 'verified' | 'unverified' | 'key-changed' | 'undecryptable' | 'tampered' | 'pending' | 'locked';

export type SessionStatus =
  | 'none'
  | 'query-sent'
  | 'handshaking'
  | 'established'
  | 'blocked-key-change';

export interface ConversationView {
  site: string;
  conversationId: string;
  selfHandle: string;
  peerHandle: string | null;
  status: SessionStatus;
  badge: Badge | null;
  /** 60 digits in 12 groups of 5, when a session exists. */
  safetyNumber: string | null;
  /** Short authentication string (words/emoji) for reading aloud, when available. */
  sas: string | null;
  canSend: boolean;
  /** A notice to show the user (re-key, key change, errors). */
  notice: string | null;
}

export interface TabView {
  tabId: number;
  origin: string;
  siteId: string | null;
  siteName: string | null;
  /** The site profile's hints stopped matching: Veil fell back to generic mode. */
  profileFallback: boolean;
  conversation: ConversationView | null;
}

export interface ContactView {
  site: string;
  handle: string;
  fingerprint: string;
  verified: boolean;
  keyChanged: boolean;
  firstSeen: number;
  keySince: number;
  previousKeys: number;
}

export interface VerificationView {
  site: string;
  handle: string;
  peerFingerprint: string;
  safetyNumber: string;
  /** Text to encode in a QR code (the safety number's digits, scannable by the peer). */
  qrPayload: string;
  sas: string | null;
  verified: boolean;
  keyChanged: boolean;
}

/** What the content script should show in place of one armored chat message. */
export type FoundDisplay =
  /** A message frame shows the plaintext; `token` names it for the frame. */
  | { kind: 'message'; token: string; badge: Badge }
  /** One fragment of a longer message whose text is shown with its first fragment. */
  | { kind: 'fragment'; index: number; count: number; complete: boolean }
  /** Handshake traffic: shown as a small Veil status line, no frame. */
  | { kind: 'handshake'; label: string }
  /** A query to start encryption: a prompt frame asks the user. */
  | { kind: 'query'; token: string | null; fromSelf: boolean }
  /** Could not be shown; the label says why (badge undecryptable/tampered/locked). */
  | { kind: 'error'; badge: Badge; label: string };

export interface FoundResult {
  key: string;
  display: FoundDisplay;
}

export interface MessageFrameView {
  text: string;
  author: string;
  badge: Badge;
  direction: 'sent' | 'received';
  time: number;
}

export interface ComposeView {
  conversation: ConversationView;
  maxChars: number;
  /** Why Veil's own key-agreement texts did not reach the page, after retries (null: they did). */
  undelivered: string | null;
}

export interface BackupPreviewView {
  previewId: string;
  identity: 'same' | 'new' | 'differs';
  newContacts: number;
  changedKeys: Array<{ site: string; handle: string }>;
  settingsChange: boolean;
}

/** One call in a tab, as the call overlay and the popup show it. */
export interface CallView {
  status: 'not-encrypted' | 'waiting-for-keys' | 'encrypted' | 'failing';
  /** Why, in words, when not plainly encrypted. */
  reason: string | null;
  /** Short authentication string bound to this call's DTLS fingerprints and the session. */
  sas: string | null;
  peer: string | null;
  pipeline: 'worker' | 'main-thread' | 'none';
  strict: boolean;
  sendEpoch: number | null;
  receiveEpoch: number | null;
  framesEncrypted: number;
  framesDecrypted: number;
  framesDropped: number;
  framesPassthrough: number;
  /** Milliseconds since the page last reported (a stale report means the call script stopped). */
  ageMs: number;
}
