// Conversation state machine: pure functions from (state, input) to (new state, outgoing wire
// messages, events). It never makes trust decisions: events expose the peer's identity key and
// the keyring decides (TOFU, key change). Every error result leaves the caller's state untouched.
import { bytesToHex, compareBytes, concatBytes, decodeUtf8, equalBytes, hexToBytes, utf8ToBytes } from '../bytes.ts';
import { MAX_CONTEXT_STRING_BYTES, MAX_OWN_PREKEYS, PROTOCOL_VERSION } from './constants.ts';
import {
  agree,
  commitRef,
  computeCommit,
  initiatorConfirmation,
  type ConversationContext,
  type PeerKeys,
  type Role,
  type SessionOrigin,
  type SessionSecrets,
} from './handshake.ts';
import type { Identity } from './identity.ts';
import { pad, unpad, type ContentType } from './padding.ts';
import { createSignedPrekey, parsePrekeyBundle, rememberEphemeral, verifyPrekeyBundle, type PrekeyError } from './prekey.ts';
import { defaultRng, generateX25519 } from './primitives.ts';
import {
  canSend,
  initRatchetReceiver,
  initRatchetSender,
  ratchetDecrypt,
  ratchetEncrypt,
  type RatchetError,
  type RatchetState,
} from './ratchet.ts';
import { err, ok, type Result } from '../result.ts';
import type { Rng } from './primitives.ts';
import { safetyNumber } from './safety-number.ts';
import { sasFromBytes, type Sas } from './sas.ts';
import {
  decodeWireMessage,
  encodePrekeyMessageHeader,
  encodeRatchetHeader,
  encodeWireMessage,
  type RatchetHeader,
  type WireError,
  type WireMessage,
} from './wire.ts';

export const CONVERSATION_FORMAT_VERSION = 1;
/** Handshake commitments already handled (own and peer's): re-rendered chat history must not restart key agreement. */
export const MAX_HANDLED_COMMITS = 64;

export interface Session {
  /** 16-byte session id (hex); authenticated in every message's AD, never sent. */
  readonly id: string;
  readonly role: Role;
  readonly origin: SessionOrigin;
  readonly peerIdentity: string;
  /** Our identity key (hex): prekey messages carry it. */
  readonly selfIdentity: string;
  readonly transcriptHash: string;
  readonly sas: string;
  readonly mediaRoot: string;
  /** True once the peer has proven it holds the session keys (MAC or a decrypted message). */
  readonly confirmed: boolean;
  readonly ratchet: RatchetState;
  /** Offline start: the initiator's ephemeral (hex); identifies the session's prekey messages. */
  readonly prekeyEphemeral: string | null;
  /** Offline-start initiator: wrap outgoing messages as prekey messages until the peer answers. */
  readonly awaitingPrekeyReply: boolean;
}

export type Handshake =
  | { readonly stage: 'commit-sent'; readonly ephemeralSecret: string; readonly ephemeralPublic: string; readonly commit: string }
  | { readonly stage: 'reply-sent'; readonly ephemeralSecret: string; readonly ephemeralPublic: string; readonly peerCommit: string }
  | { readonly stage: 'reveal-sent'; readonly commit: string };

export interface OwnPrekey {
  readonly secretKey: string;
  readonly publicKey: string;
}

export interface ConversationState {
  readonly v: 1;
  readonly kind: 'veil-conversation';
  readonly ctx: ConversationContext;
  readonly handshake: Handshake | null;
  /** The session used to send. */
  readonly session: Session | null;
  /** Initiator's new session, waiting for the responder's first (confirming) ratchet message. */
  readonly pendingSession: Session | null;
  /** The session replaced by the last re-key: kept to decrypt messages that were in flight. */
  readonly previousSession: Session | null;
  readonly prekeys: readonly OwnPrekey[];
  readonly seenPrekeyEphemerals: readonly string[];
  readonly handledCommits: readonly string[];
}

export interface SessionInfo {
  readonly sessionId: string;
  readonly role: Role;
  readonly origin: SessionOrigin;
  readonly peerIdentity: Uint8Array;
  /**
   * 60-digit safety number over both identity keys and handles (compare out of band). Computed
   * on demand: 2 x 5200 SHA-512 rounds would otherwise dominate the key agreement's CPU time.
   */
  readonly safetyNumber: () => string;
  /** Short authentication string; null for offline-start sessions (not grinding-resistant there). */
  readonly sas: Sas | null;
}

export type ConversationEvent =
  | ({ readonly type: 'session-established' } & SessionInfo)
  | { readonly type: 'message'; readonly sessionId: string; readonly text: string }
  /** A lib/group control payload from the session's peer (the peer identity is authenticated by the session). */
  | { readonly type: 'group-control'; readonly sessionId: string; readonly peerIdentity: Uint8Array; readonly payload: Uint8Array }
  | { readonly type: 'prekey-bundle'; readonly peerIdentity: Uint8Array; readonly bundle: Uint8Array }
  | { readonly type: 'handshake-started'; readonly role: Role }
  | {
      readonly type: 'ignored';
      readonly reason: 'own-message' | 'stale-handshake' | 'collision-won' | 'superseded-session';
    };

export type ConversationErrorCode =
  | 'bad-context'
  | 'malformed'
  | 'own-message'
  | 'duplicate'
  | 'replay'
  | 'undecryptable'
  | 'no-session'
  | 'not-ready'
  | 'bad-peer-key'
  | 'reflected-identity'
  | 'key-confirmation-failed'
  | 'bad-prekey-bundle'
  | 'too-long'
  | 'bad-content'
  | 'counter-exhausted'
  | 'bad-state';

export interface ConversationError {
  readonly code: ConversationErrorCode;
  readonly message: string;
  /** What the caller should do: 'rekey' means start a new key agreement (and show userNotice). */
  readonly recovery: 'none' | 'rekey';
  readonly userNotice?: string;
  readonly wireError?: WireError;
  readonly prekeyError?: PrekeyError;
  readonly ratchetError?: RatchetError;
}

/** One wire message from the chat and what handling it needs. */
export interface ReceiveInput {
  readonly identity: Identity;
  readonly wire: Uint8Array;
  /** The caller's clock (ms) for skipped-key expiry. */
  readonly now: number;
  readonly rng?: Rng;
}

/** What every message handler gets besides the state and the message itself. */
interface Handling {
  readonly identity: Identity;
  readonly now: number;
  readonly rng: Rng;
}

export interface ReceiveResult {
  readonly state: ConversationState;
  readonly outgoing: Uint8Array[];
  readonly events: ConversationEvent[];
}

const REKEY_NOTICE =
  'A message could not be decrypted. Veil is setting up new keys with this contact; ask them to resend it.';

function fail(code: ConversationErrorCode, message: string, extra: Partial<ConversationError> = {}): { ok: false; error: ConversationError } {
  return err({ code, message, recovery: 'none', ...extra });
}

function failRekey(code: ConversationErrorCode, message: string, extra: Partial<ConversationError> = {}): { ok: false; error: ConversationError } {
  return err({ code, message, recovery: 'rekey', userNotice: REKEY_NOTICE, ...extra });
}

function contextError(ctx: ConversationContext): string | null {
  for (const key of ['site', 'conversationId', 'selfHandle', 'peerHandle'] as const) {
    const v: unknown = ctx[key];
    if (typeof v !== 'string' || v.length === 0) return `${key} must be a non-empty string`;
    if (utf8ToBytes(v).length > MAX_CONTEXT_STRING_BYTES) return `${key} is too long`;
  }
  if (ctx.selfHandle === ctx.peerHandle) return 'selfHandle and peerHandle must differ';
  return null;
}

export function newConversation(ctx: ConversationContext): Result<ConversationState, ConversationError> {
  const problem = contextError(ctx);
  if (problem) return fail('bad-context', problem);
  return ok({
    v: CONVERSATION_FORMAT_VERSION,
    kind: 'veil-conversation',
    ctx: { site: ctx.site, conversationId: ctx.conversationId, selfHandle: ctx.selfHandle, peerHandle: ctx.peerHandle },
    handshake: null,
    session: null,
    pendingSession: null,
    previousSession: null,
    prekeys: [],
    seenPrekeyEphemerals: [],
    handledCommits: [],
  });
}

function rememberCommit(list: readonly string[], commitHex: string): string[] {
  return [...list.filter((c) => c !== commitHex), commitHex].slice(-MAX_HANDLED_COMMITS);
}

function adPrefix(sessionIdHex: string): Uint8Array {
  return concatBytes(Uint8Array.of(PROTOCOL_VERSION), hexToBytes(sessionIdHex));
}

function sessionInfo(state: ConversationState, identity: Identity, s: Session): SessionInfo {
  const peerIdentity = hexToBytes(s.peerIdentity);
  return {
    sessionId: s.id,
    role: s.role,
    origin: s.origin,
    peerIdentity,
    safetyNumber: () =>
      safetyNumber({ publicKey: identity.publicKey, handle: state.ctx.selfHandle }, { publicKey: peerIdentity, handle: state.ctx.peerHandle }),
    sas: s.origin === 'interactive' ? sasFromBytes(hexToBytes(s.sas)) : null,
  };
}

/** Info about the active session (for the UI: safety number, SAS), or null. */
export function activeSessionInfo(state: ConversationState, identity: Identity): SessionInfo | null {
  return state.session ? sessionInfo(state, identity, state.session) : null;
}

/** A new session from a finished key agreement. */
function buildSession(p: {
  secrets: SessionSecrets;
  role: Role;
  origin: SessionOrigin;
  selfIdentity: Uint8Array;
  peerIdentity: Uint8Array;
  ratchet: RatchetState;
  confirmed: boolean;
  /** Offline start: the initiator's ephemeral (hex), and whether we still wait for the peer's reply. */
  prekey?: { ephemeral: string; awaitingReply: boolean };
}): Session {
  return {
    id: bytesToHex(p.secrets.sessionId),
    role: p.role,
    origin: p.origin,
    peerIdentity: bytesToHex(p.peerIdentity),
    selfIdentity: bytesToHex(p.selfIdentity),
    transcriptHash: bytesToHex(p.secrets.transcriptHash),
    sas: bytesToHex(p.secrets.sas),
    mediaRoot: bytesToHex(p.secrets.mediaRoot),
    confirmed: p.confirmed,
    ratchet: p.ratchet,
    prekeyEphemeral: p.prekey?.ephemeral ?? null,
    awaitingPrekeyReply: p.prekey?.awaitingReply ?? false,
  };
}

// ---------------------------------------------------------------- interactive key agreement

/** Starts (or restarts, as a re-key) an interactive key agreement: returns msg1 (commit). */
export function startKeyAgreement(
  state: ConversationState,
  identity: Identity,
  rng: Rng = defaultRng,
): Result<{ state: ConversationState; outgoing: Uint8Array[] }, ConversationError> {
  const eph = generateX25519(rng);
  const commit = computeCommit(eph.publicKey, identity.publicKey);
  const commitHex = bytesToHex(commit);
  return ok({
    state: {
      ...state,
      handshake: { stage: 'commit-sent', ephemeralSecret: bytesToHex(eph.secretKey), ephemeralPublic: bytesToHex(eph.publicKey), commit: commitHex },
      handledCommits: rememberCommit(state.handledCommits, commitHex),
    },
    outgoing: [encodeWireMessage({ type: 'commit', commit })],
  });
}

function onCommit(state: ConversationState, { identity, rng }: Handling, commit: Uint8Array): Result<ReceiveResult, ConversationError> {
  const commitHex = bytesToHex(commit);
  const hs = state.handshake;
  if (hs?.stage === 'commit-sent' && hs.commit === commitHex) {
    return ok({ state, outgoing: [], events: [{ type: 'ignored', reason: 'own-message' }] });
  }
  if (state.handledCommits.includes(commitHex)) {
    return ok({ state, outgoing: [], events: [{ type: 'ignored', reason: 'stale-handshake' }] });
  }
  // Simultaneous start: the larger commitment stays initiator; the other side becomes responder.
  if (hs?.stage === 'commit-sent' && compareBytes(hexToBytes(hs.commit), commit) > 0) {
    return ok({
      state: { ...state, handledCommits: rememberCommit(state.handledCommits, commitHex) },
      outgoing: [],
      events: [{ type: 'ignored', reason: 'collision-won' }],
    });
  }
  const eph = generateX25519(rng);
  return ok({
    state: {
      ...state,
      handshake: { stage: 'reply-sent', ephemeralSecret: bytesToHex(eph.secretKey), ephemeralPublic: bytesToHex(eph.publicKey), peerCommit: commitHex },
      handledCommits: rememberCommit(state.handledCommits, commitHex),
    },
    outgoing: [encodeWireMessage({ type: 'reply', commitRef: commitRef(commit), ephemeral: eph.publicKey, identity: identity.publicKey })],
    events: [{ type: 'handshake-started', role: 'responder' }],
  });
}

/** The interactive key agreement from our stored ephemeral and the keys the peer presented. */
function interactiveAgreement(
  state: ConversationState,
  identity: Identity,
  a: { role: Role; handshake: { ephemeralSecret: string; ephemeralPublic: string }; peer: PeerKeys },
): Result<{ own: { secretKey: Uint8Array; publicKey: Uint8Array }; secrets: SessionSecrets }, ConversationError> {
  if (equalBytes(a.peer.identity, identity.publicKey)) return fail('reflected-identity', 'peer presented our own identity key');
  const own = { secretKey: hexToBytes(a.handshake.ephemeralSecret), publicKey: hexToBytes(a.handshake.ephemeralPublic) };
  const peer = { identity: a.peer.identity, ephemeral: a.peer.ephemeral };
  const secrets = agree({ origin: 'interactive', role: a.role, ctx: state.ctx, self: identity, ownEphemeral: own, peer });
  return secrets ? ok({ own, secrets }) : fail('bad-peer-key', 'peer identity or ephemeral key is invalid');
}

function onReply(
  state: ConversationState,
  { identity }: Handling,
  msg: Extract<WireMessage, { type: 'reply' }>,
): Result<ReceiveResult, ConversationError> {
  const hs = state.handshake;
  if (hs?.stage !== 'commit-sent' || !equalBytes(commitRef(hexToBytes(hs.commit)), msg.commitRef)) {
    return ok({ state, outgoing: [], events: [{ type: 'ignored', reason: 'stale-handshake' }] });
  }
  const agreed = interactiveAgreement(state, identity, { role: 'initiator', handshake: hs, peer: msg });
  if (!agreed.ok) return agreed;
  const { own, secrets } = agreed.value;
  // Initiator is the ratchet's receiving side: its ratchet key is the ephemeral it revealed.
  const ratchet = initRatchetReceiver(secrets.rootKey, own);
  const pending = buildSession({ secrets, role: 'initiator', origin: 'interactive', selfIdentity: identity.publicKey, peerIdentity: msg.identity, ratchet, confirmed: false });
  const reveal = encodeWireMessage({
    type: 'reveal',
    ephemeral: own.publicKey,
    identity: identity.publicKey,
    mac: initiatorConfirmation(secrets),
  });
  return ok({
    state: { ...state, handshake: { stage: 'reveal-sent', commit: hs.commit }, pendingSession: pending },
    outgoing: [reveal],
    events: [],
  });
}

function encryptContent(
  session: Session,
  content: Uint8Array,
  type: ContentType,
): Result<{ session: Session; wire: Uint8Array }, ConversationError> {
  const padded = pad(content, type);
  if (!padded.ok) return fail('too-long', padded.error.message);
  const encodeHeader = session.awaitingPrekeyReply
    ? (h: RatchetHeader) => encodePrekeyMessageHeader(hexToBytes(session.selfIdentity), hexToBytes(session.prekeyEphemeral as string), h)
    : encodeRatchetHeader;
  const res = ratchetEncrypt(session.ratchet, { plaintext: padded.value, ad: adPrefix(session.id), encodeHeader });
  if (!res.ok) {
    return res.error.code === 'no-sending-chain'
      ? fail('not-ready', 'waiting for the peer to confirm the new session', { ratchetError: res.error })
      : failRekey('counter-exhausted', res.error.message, { ratchetError: res.error });
  }
  return ok({ session: { ...session, ratchet: res.value.state }, wire: res.value.wire });
}

function onReveal(
  state: ConversationState,
  { identity, rng }: Handling,
  msg: Extract<WireMessage, { type: 'reveal' }>,
): Result<ReceiveResult, ConversationError> {
  const hs = state.handshake;
  const commit = computeCommit(msg.ephemeral, msg.identity);
  if (hs?.stage !== 'reply-sent' || hs.peerCommit !== bytesToHex(commit)) {
    return ok({ state, outgoing: [], events: [{ type: 'ignored', reason: 'stale-handshake' }] });
  }
  const agreed = interactiveAgreement(state, identity, { role: 'responder', handshake: hs, peer: msg });
  if (!agreed.ok) return agreed;
  const { secrets } = agreed.value;
  if (!equalBytes(initiatorConfirmation(secrets), msg.mac)) {
    return failRekey('key-confirmation-failed', 'key confirmation MAC does not match (different keys or context)');
  }
  const ratchet = initRatchetSender(secrets.rootKey, msg.ephemeral, rng);
  if (!ratchet.ok) return fail('bad-peer-key', ratchet.error.message, { ratchetError: ratchet.error });
  const fresh = buildSession({ secrets, role: 'responder', origin: 'interactive', selfIdentity: identity.publicKey, peerIdentity: msg.identity, ratchet: ratchet.value, confirmed: true });
  // Responder's key confirmation: an automatic first ratchet message (empty, content type "confirm").
  const confirm = encryptContent(fresh, new Uint8Array(0), 'confirm');
  if (!confirm.ok) return confirm;
  const session = confirm.value.session;
  return ok({
    state: { ...state, handshake: null, session, pendingSession: null, previousSession: state.session ?? state.previousSession },
    outgoing: [confirm.value.wire],
    events: [{ type: 'session-established', ...sessionInfo(state, identity, session) }],
  });
}

// ---------------------------------------------------------------- ratchet messages

type Slot = 'session' | 'pendingSession' | 'previousSession';

type Body = { type: 'text'; text: string } | { type: 'confirm' } | { type: 'group-control'; payload: Uint8Array };

function decodeBody(plaintext: Uint8Array): Result<Body, ConversationError> {
  const un = unpad(plaintext);
  if (!un.ok) return fail('bad-content', un.error.message);
  switch (un.value.type) {
    case 'text': {
      const text = decodeUtf8(un.value.content);
      if (text === null) return fail('bad-content', 'message is not valid UTF-8');
      return ok({ type: 'text', text });
    }
    case 'confirm':
      return ok({ type: 'confirm' });
    case 'group-control':
      return ok({ type: 'group-control', payload: un.value.content });
    case 'group-text':
      return fail('bad-content', 'a group message body inside a pairwise message');
  }
}

function bodyEvents(session: Session, body: Body): ConversationEvent[] {
  if (body.type === 'text') return [{ type: 'message', sessionId: session.id, text: body.text }];
  if (body.type === 'group-control') {
    return [{ type: 'group-control', sessionId: session.id, peerIdentity: hexToBytes(session.peerIdentity), payload: body.payload }];
  }
  return [];
}

function classifyFailure(errors: RatchetError[]): { ok: false; error: ConversationError } {
  if (errors.some((e) => e.code === 'own-message')) return fail('own-message', 'this is one of our own messages');
  if (errors.some((e) => e.code === 'duplicate')) {
    return fail('duplicate', 'message was already decrypted (or its key expired); use the plaintext cache');
  }
  return failRekey('undecryptable', 'no session could decrypt this message', { ratchetError: errors[0] });
}

/** Applies a successfully decrypted message to its session slot (promotion, confirmation). */
function applyDecrypted(
  state: ConversationState,
  identity: Identity,
  { slot, session, body }: { slot: Slot; session: Session; body: Body },
): ReceiveResult {
  const events: ConversationEvent[] = [];
  const updated: Session = { ...session, confirmed: true, awaitingPrekeyReply: false };
  let next: ConversationState;
  if (slot === 'pendingSession') {
    next = { ...state, handshake: null, session: updated, pendingSession: null, previousSession: state.session ?? state.previousSession };
    events.push({ type: 'session-established', ...sessionInfo(state, identity, updated) });
  } else {
    next = { ...state, [slot]: updated };
  }
  events.push(...bodyEvents(updated, body));
  return { state: next, outgoing: [], events };
}

function onRatchet(
  state: ConversationState,
  { identity, now, rng }: Handling,
  { msg, slots }: { msg: { header: RatchetHeader; headerBytes: Uint8Array; ciphertext: Uint8Array }; slots: Slot[] },
): Result<ReceiveResult, ConversationError> {
  const errors: RatchetError[] = [];
  for (const slot of slots) {
    const session = state[slot];
    if (!session) continue;
    const res = ratchetDecrypt(session.ratchet, { ...msg, ad: adPrefix(session.id), now, rng });
    if (!res.ok) {
      errors.push(res.error);
      continue;
    }
    const body = decodeBody(res.value.plaintext);
    if (!body.ok) return body;
    return ok(applyDecrypted(state, identity, { slot, session: { ...session, ratchet: res.value.state }, body: body.value }));
  }
  if (errors.length === 0) return failRekey('no-session', 'no session with this contact yet');
  return classifyFailure(errors);
}

// ---------------------------------------------------------------- offline start

/** Creates a signed prekey (kept, at most MAX_OWN_PREKEYS) and its bundle message to post in the chat. */
export function createPrekeyBundle(
  state: ConversationState,
  identity: Identity,
  rng: Rng = defaultRng,
): { state: ConversationState; wire: Uint8Array } {
  const { pair, wire } = createSignedPrekey(identity, rng);
  const prekeys = [...state.prekeys, { secretKey: bytesToHex(pair.secretKey), publicKey: bytesToHex(pair.publicKey) }].slice(-MAX_OWN_PREKEYS);
  return { state: { ...state, prekeys }, wire };
}

/**
 * Starts a session from the peer's prekey bundle so we can send first. Every message sent on it
 * is a prekey message until the peer answers. The caller must make the trust decision on
 * `peerIdentity` (TOFU / key change) before sending.
 */
export function startFromPrekeyBundle(
  state: ConversationState,
  { identity, bundle: bundleWire, rng = defaultRng }: { identity: Identity; bundle: Uint8Array; rng?: Rng },
): Result<{ state: ConversationState; info: SessionInfo }, ConversationError> {
  const bundle = parsePrekeyBundle(bundleWire);
  if (!bundle.ok) return fail('bad-prekey-bundle', bundle.error.message, { prekeyError: bundle.error });
  const b = bundle.value;
  if (equalBytes(b.identity, identity.publicKey)) return fail('reflected-identity', 'this is our own prekey bundle');
  const eph = generateX25519(rng);
  const peer = { identity: b.identity, ephemeral: b.prekey };
  const secrets = agree({ origin: 'prekey', role: 'initiator', ctx: state.ctx, self: identity, ownEphemeral: eph, peer });
  if (!secrets) return fail('bad-peer-key', 'bundle keys are invalid');
  const ratchet = initRatchetSender(secrets.rootKey, b.prekey, rng);
  if (!ratchet.ok) return fail('bad-peer-key', ratchet.error.message, { ratchetError: ratchet.error });
  const session = buildSession({
    secrets,
    role: 'initiator',
    origin: 'prekey',
    selfIdentity: identity.publicKey,
    peerIdentity: b.identity,
    ratchet: ratchet.value,
    confirmed: false,
    prekey: { ephemeral: bytesToHex(eph.publicKey), awaitingReply: true },
  });
  const next: ConversationState = { ...state, session, previousSession: state.session ?? state.previousSession };
  return ok({ state: next, info: sessionInfo(state, identity, session) });
}

function onPrekeyMessage(
  state: ConversationState,
  handling: Handling,
  msg: Extract<WireMessage, { type: 'prekey-message' }>,
): Result<ReceiveResult, ConversationError> {
  const { identity, now, rng } = handling;
  if (equalBytes(msg.identity, identity.publicKey)) return fail('own-message', 'this is one of our own messages');
  const ephHex = bytesToHex(msg.ephemeral);
  // Later prekey messages of a session we already have: ordinary ratchet decryption.
  const known = (['session', 'pendingSession', 'previousSession'] as const).filter((s) => state[s]?.prekeyEphemeral === ephHex);
  if (known.length > 0) return onRatchet(state, handling, { msg, slots: known });
  if (state.seenPrekeyEphemerals.includes(ephHex)) {
    return fail('replay', 'this offline-start message was already used');
  }
  for (const pk of state.prekeys) {
    const pair = { secretKey: hexToBytes(pk.secretKey), publicKey: hexToBytes(pk.publicKey) };
    const peer = { identity: msg.identity, ephemeral: msg.ephemeral };
    const secrets = agree({ origin: 'prekey', role: 'responder', ctx: state.ctx, self: identity, ownEphemeral: pair, peer });
    if (!secrets) return fail('bad-peer-key', 'peer identity or ephemeral key is invalid');
    const ratchet = initRatchetReceiver(secrets.rootKey, pair);
    const res = ratchetDecrypt(ratchet, { header: msg.header, headerBytes: msg.headerBytes, ciphertext: msg.ciphertext, ad: adPrefix(bytesToHex(secrets.sessionId)), now, rng });
    if (!res.ok) continue;
    const body = decodeBody(res.value.plaintext);
    if (!body.ok) return body;
    const fresh = buildSession({
      secrets,
      role: 'responder',
      origin: 'prekey',
      selfIdentity: identity.publicKey,
      peerIdentity: msg.identity,
      ratchet: res.value.state,
      confirmed: true,
      prekey: { ephemeral: ephHex, awaitingReply: false },
    });
    const seen = rememberEphemeral(state.seenPrekeyEphemerals, ephHex);
    const events: ConversationEvent[] = [];
    const ours = state.session;
    let next: ConversationState;
    // Both started offline at once: the session with the larger initiator ephemeral wins on both sides.
    if (ours?.awaitingPrekeyReply && ours.prekeyEphemeral !== null && compareBytes(hexToBytes(ours.prekeyEphemeral), msg.ephemeral) > 0) {
      next = { ...state, previousSession: fresh, seenPrekeyEphemerals: seen };
      events.push({ type: 'ignored', reason: 'superseded-session' });
    } else {
      next = { ...state, session: fresh, previousSession: state.session ?? state.previousSession, seenPrekeyEphemerals: seen };
      events.push({ type: 'session-established', ...sessionInfo(state, identity, fresh) });
    }
    events.push(...bodyEvents(fresh, body.value));
    return ok({ state: next, outgoing: [], events });
  }
  if (state.prekeys.length === 0) return failRekey('no-session', 'offline-start message but we have no prekey');
  return failRekey('undecryptable', 'offline-start message does not match any of our prekeys');
}

// ---------------------------------------------------------------- entry points

/**
 * Handles one wire message from the chat. Errors never change state; `error.recovery === 'rekey'` asks the caller to run startKeyAgreement
 * and show `error.userNotice`. 'duplicate' / 'own-message' are normal on chat sites that re-render
 * history: look the ciphertext up in the plaintext cache instead.
 */
export function receive(state: ConversationState, input: ReceiveInput): Result<ReceiveResult, ConversationError> {
  const { identity, wire } = input;
  const handling: Handling = { identity, now: input.now, rng: input.rng ?? defaultRng };
  const decoded = decodeWireMessage(wire);
  if (!decoded.ok) return fail('malformed', decoded.error.message, { wireError: decoded.error });
  const msg = decoded.value;
  switch (msg.type) {
    case 'commit':
      return onCommit(state, handling, msg.commit);
    case 'reply':
      return onReply(state, handling, msg);
    case 'reveal':
      return onReveal(state, handling, msg);
    case 'ratchet':
      return onRatchet(state, handling, { msg, slots: ['session', 'pendingSession', 'previousSession'] });
    case 'prekey-bundle': {
      if (equalBytes(msg.identity, identity.publicKey)) {
        return ok({ state, outgoing: [], events: [{ type: 'ignored', reason: 'own-message' }] });
      }
      const v = verifyPrekeyBundle(msg);
      if (!v.ok) return fail('bad-prekey-bundle', v.error.message, { prekeyError: v.error });
      return ok({ state, outgoing: [], events: [{ type: 'prekey-bundle', peerIdentity: msg.identity, bundle: Uint8Array.from(wire) }] });
    }
    case 'prekey-message':
      return onPrekeyMessage(state, handling, msg);
  }
}

/** Encrypts a text message on the active session. Persist the returned state before sending the wire bytes. */
export function encryptMessage(
  state: ConversationState,
  plaintext: string,
  rng: Rng = defaultRng,
): Result<{ state: ConversationState; wire: Uint8Array }, ConversationError> {
  void rng; // Sending needs no randomness in the Double Ratchet; kept for a uniform API.
  const session = state.session;
  if (!session) {
    return state.pendingSession
      ? fail('not-ready', 'waiting for the peer to confirm the new session')
      : fail('no-session', 'no session with this contact yet');
  }
  const res = encryptContent(session, utf8ToBytes(plaintext), 'text');
  if (!res.ok) return res;
  return ok({ state: { ...state, session: res.value.session }, wire: res.value.wire });
}

/**
 * Encrypts a lib/group control payload (sender key, welcome, commit, ...) on the active session:
 * the peer's receive() emits it as a 'group-control' event. Persist the state before sending.
 */
export function encryptGroupControl(
  state: ConversationState,
  payload: Uint8Array,
): Result<{ state: ConversationState; wire: Uint8Array }, ConversationError> {
  const session = state.session;
  if (!session) {
    return state.pendingSession
      ? fail('not-ready', 'waiting for the peer to confirm the new session')
      : fail('no-session', 'no session with this contact yet');
  }
  const res = encryptContent(session, payload, 'group-control');
  if (!res.ok) return res;
  return ok({ state: { ...state, session: res.value.session }, wire: res.value.wire });
}

/** True when encryptMessage can produce a message now. */
export function canEncrypt(state: ConversationState): boolean {
  return state.session !== null && canSend(state.session.ratchet);
}
