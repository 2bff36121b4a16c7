// Versioned JSON-safe persistence of conversation state, with a validating parser: stored state
// is read back from extension storage and treated as untrusted input.
import { MAX_OWN_PREKEYS, MAX_PAST_REMOTE_KEYS, MAX_SEEN_PREKEY_EPHEMERALS, MAX_STORED_SKIPPED_KEYS } from './constants.ts';
import { CONVERSATION_FORMAT_VERSION, MAX_HANDLED_COMMITS, type ConversationState, type Handshake, type Session } from './conversation.ts';
import type { RatchetState, SkippedKey } from './ratchet.ts';
import { err, ok, type Result } from '../result.ts';
import { MAX_COUNTER } from './wire.ts';

export interface ConversationParseError {
  readonly code: 'not-an-object' | 'unsupported-version' | 'invalid-field';
  readonly message: string;
  /** Dotted path of the offending field. */
  readonly path?: string;
}

/** JSON-safe, versioned snapshot (a deep copy; safe to JSON.stringify and store). */
export function serializeConversation(state: ConversationState): unknown {
  return JSON.parse(JSON.stringify(state)) as unknown;
}

class Invalid extends Error {
  constructor(readonly path: string) {
    super(`invalid field ${path}`);
  }
}

type Obj = Record<string, unknown>;

function obj(v: unknown, path: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Invalid(path);
  return v as Obj;
}
function hex(v: unknown, bytes: number, path: string): string {
  if (typeof v !== 'string' || v.length !== bytes * 2 || !/^[0-9a-f]*$/.test(v)) throw new Invalid(path);
  return v;
}
function hexOrNull(v: unknown, bytes: number, path: string): string | null {
  return v === null ? null : hex(v, bytes, path);
}
function nat(v: unknown, path: string, max = MAX_COUNTER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) throw new Invalid(path);
  return v;
}
function str(v: unknown, path: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 4096) throw new Invalid(path);
  return v;
}
function bool(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') throw new Invalid(path);
  return v;
}
function arr<T>(v: unknown, { path, max }: { path: string; max: number }, item: (x: unknown, p: string) => T): T[] {
  if (!Array.isArray(v) || v.length > max) throw new Invalid(path);
  return v.map((x, i) => item(x, `${path}.${i}`));
}
function oneOf<T extends string>(v: unknown, options: readonly T[], path: string): T {
  if (typeof v !== 'string' || !(options as readonly string[]).includes(v)) throw new Invalid(path);
  return v as T;
}

function ratchet(v: unknown, p: string): RatchetState {
  const o = obj(v, p);
  const skippedKey = (x: unknown, q: string): SkippedKey => {
    const s = obj(x, q);
    return { dh: hex(s.dh, 32, `${q}.dh`), n: nat(s.n, `${q}.n`), mk: hex(s.mk, 32, `${q}.mk`), at: nat(s.at, `${q}.at`, Number.MAX_SAFE_INTEGER) };
  };
  const skipped = arr(o.skipped, { path: `${p}.skipped`, max: MAX_STORED_SKIPPED_KEYS }, skippedKey);
  return {
    dhsSecret: hex(o.dhsSecret, 32, `${p}.dhsSecret`),
    dhsPublic: hex(o.dhsPublic, 32, `${p}.dhsPublic`),
    dhr: hexOrNull(o.dhr, 32, `${p}.dhr`),
    rk: hex(o.rk, 32, `${p}.rk`),
    cks: hexOrNull(o.cks, 32, `${p}.cks`),
    ckr: hexOrNull(o.ckr, 32, `${p}.ckr`),
    ns: nat(o.ns, `${p}.ns`),
    nr: nat(o.nr, `${p}.nr`),
    pn: nat(o.pn, `${p}.pn`),
    skipped,
    pastDhr: arr(o.pastDhr, { path: `${p}.pastDhr`, max: MAX_PAST_REMOTE_KEYS }, (x, q) => hex(x, 32, q)),
    pastDhs: arr(o.pastDhs, { path: `${p}.pastDhs`, max: MAX_PAST_REMOTE_KEYS }, (x, q) => hex(x, 32, q)),
  };
}

function session(v: unknown, p: string): Session | null {
  if (v === null) return null;
  const o = obj(v, p);
  return {
    id: hex(o.id, 16, `${p}.id`),
    role: oneOf(o.role, ['initiator', 'responder'] as const, `${p}.role`),
    origin: oneOf(o.origin, ['interactive', 'prekey'] as const, `${p}.origin`),
    peerIdentity: hex(o.peerIdentity, 32, `${p}.peerIdentity`),
    selfIdentity: hex(o.selfIdentity, 32, `${p}.selfIdentity`),
    transcriptHash: hex(o.transcriptHash, 32, `${p}.transcriptHash`),
    sas: hex(o.sas, 5, `${p}.sas`),
    mediaRoot: hex(o.mediaRoot, 32, `${p}.mediaRoot`),
    confirmed: bool(o.confirmed, `${p}.confirmed`),
    ratchet: ratchet(o.ratchet, `${p}.ratchet`),
    prekeyEphemeral: hexOrNull(o.prekeyEphemeral, 32, `${p}.prekeyEphemeral`),
    awaitingPrekeyReply: bool(o.awaitingPrekeyReply, `${p}.awaitingPrekeyReply`),
  };
}

function handshake(v: unknown, p: string): Handshake | null {
  if (v === null) return null;
  const o = obj(v, p);
  const stage = oneOf(o.stage, ['commit-sent', 'reply-sent', 'reveal-sent'] as const, `${p}.stage`);
  switch (stage) {
    case 'commit-sent':
      return {
        stage,
        ephemeralSecret: hex(o.ephemeralSecret, 32, `${p}.ephemeralSecret`),
        ephemeralPublic: hex(o.ephemeralPublic, 32, `${p}.ephemeralPublic`),
        commit: hex(o.commit, 32, `${p}.commit`),
      };
    case 'reply-sent':
      return {
        stage,
        ephemeralSecret: hex(o.ephemeralSecret, 32, `${p}.ephemeralSecret`),
        ephemeralPublic: hex(o.ephemeralPublic, 32, `${p}.ephemeralPublic`),
        peerCommit: hex(o.peerCommit, 32, `${p}.peerCommit`),
      };
    case 'reveal-sent':
      return { stage, commit: hex(o.commit, 32, `${p}.commit`) };
  }
}

function ownPrekey(x: unknown, q: string): { secretKey: string; publicKey: string } {
  const k = obj(x, q);
  return { secretKey: hex(k.secretKey, 32, `${q}.secretKey`), publicKey: hex(k.publicKey, 32, `${q}.publicKey`) };
}

export function parseConversation(input: unknown): Result<ConversationState, ConversationParseError> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return err({ code: 'not-an-object', message: 'conversation state must be an object' });
  }
  const o = input as Obj;
  if (o.v !== CONVERSATION_FORMAT_VERSION || o.kind !== 'veil-conversation') {
    return err({ code: 'unsupported-version', message: `unsupported conversation format ${String(o.v)}` });
  }
  try {
    const c = obj(o.ctx, 'ctx');
    return ok({
      v: CONVERSATION_FORMAT_VERSION,
      kind: 'veil-conversation',
      ctx: {
        site: str(c.site, 'ctx.site'),
        conversationId: str(c.conversationId, 'ctx.conversationId'),
        selfHandle: str(c.selfHandle, 'ctx.selfHandle'),
        peerHandle: str(c.peerHandle, 'ctx.peerHandle'),
      },
      handshake: handshake(o.handshake, 'handshake'),
      session: session(o.session, 'session'),
      pendingSession: session(o.pendingSession, 'pendingSession'),
      previousSession: session(o.previousSession, 'previousSession'),
      prekeys: arr(o.prekeys, { path: 'prekeys', max: MAX_OWN_PREKEYS }, ownPrekey),
      seenPrekeyEphemerals: arr(o.seenPrekeyEphemerals, { path: 'seenPrekeyEphemerals', max: MAX_SEEN_PREKEY_EPHEMERALS }, (x, q) => hex(x, 32, q)),
      handledCommits: arr(o.handledCommits, { path: 'handledCommits', max: MAX_HANDLED_COMMITS }, (x, q) => hex(x, 32, q)),
    });
  } catch (e) {
    if (e instanceof Invalid) return err({ code: 'invalid-field', message: e.message, path: e.path });
    return err({ code: 'invalid-field', message: 'invalid conversation state' });
  }
}
