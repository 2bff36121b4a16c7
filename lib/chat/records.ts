/**
 * What the text engine keeps per conversation, inside the keyring's encrypted session records:
 *   - per (site, conversation, peer): the protocol's conversation state plus what the UI shows
 *     about the session (safety number, SAS, notices);
 *   - per (site, conversation): the conversation's meta (query sent, queries answered, last peer).
 * Both are validated when read back: storage is treated as hostile.
 */
import type { Keyring } from '../keyring/index.ts';
import type { Result } from '../result.ts';
import { parseConversation, serializeConversation, type ConversationState } from '../protocol/index.ts';

/** Peer slot for the conversation-level meta record (handles are trimmed, never a lone space). */
const META_PEER = ' ';
const MAX_ANSWERED = 200;

export interface SessionSummary {
  sessionId: string;
  /** Filled in the first time a view asks (it costs ~40 ms of hashing). */
  safetyNumber: string | null;
  sas: string | null;
  peerKeyHex: string;
}

export interface PeerRecord {
  state: ConversationState;
  established: SessionSummary | null;
  notice: string | null;
  lastRekeyAt: number;
}

export interface ConversationMeta {
  querySentAt: number;
  answeredQueries: string[];
  lastPeer: string | null;
}

const str = (v: unknown): v is string => typeof v === 'string';
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function parseSummary(v: unknown): SessionSummary | null {
  if (!v || typeof v !== 'object') return null;
  const o = v as Record<string, unknown>;
  if (!str(o.sessionId) || !(o.safetyNumber === null || str(o.safetyNumber)) || !str(o.peerKeyHex) || !(o.sas === null || str(o.sas))) return null;
  return { sessionId: o.sessionId, safetyNumber: o.safetyNumber, sas: o.sas, peerKeyHex: o.peerKeyHex };
}

export type RecordError = { code: 'locked' | 'storage'; message: string };
type R<T> = Result<T, RecordError>;

function keyringFail(code: string): { ok: false; error: RecordError } {
  return { ok: false, error: code === 'locked' ? { code: 'locked', message: 'Veil is locked' } : { code: 'storage', message: `storage: ${code}` } };
}

export async function loadPeer(kr: Keyring, site: string, conversation: string, peer: string): Promise<R<PeerRecord | null>> {
  const got = await kr.getSession({ site, conversation, peer });
  if (!got.ok) return keyringFail(got.error.code);
  if (got.value === null || got.value === undefined) return { ok: true, value: null };
  const o = got.value as Record<string, unknown>;
  const parsed = parseConversation(o.state);
  if (!parsed.ok) return { ok: false, error: { code: 'storage', message: `session record unreadable: ${parsed.error.message}` } };
  return {
    ok: true,
    value: {
      state: parsed.value,
      established: parseSummary(o.established),
      notice: str(o.notice) ? o.notice : null,
      lastRekeyAt: num(o.lastRekeyAt) ? o.lastRekeyAt : 0,
    },
  };
}

/** Resolves only after the keyring acknowledged the write: call before any dependent ciphertext leaves. */
export async function savePeer(kr: Keyring, site: string, conversation: string, peer: string, rec: PeerRecord): Promise<R<void>> {
  const put = await kr.putSession(
    { site, conversation, peer },
    { state: serializeConversation(rec.state), established: rec.established, notice: rec.notice, lastRekeyAt: rec.lastRekeyAt },
  );
  return put.ok ? { ok: true, value: undefined } : keyringFail(put.error.code);
}

export async function loadMeta(kr: Keyring, site: string, conversation: string): Promise<R<ConversationMeta>> {
  const empty: ConversationMeta = { querySentAt: 0, answeredQueries: [], lastPeer: null };
  const got = await kr.getSession({ site, conversation, peer: META_PEER });
  if (!got.ok) return keyringFail(got.error.code);
  const o = got.value as Record<string, unknown> | null;
  if (!o || typeof o !== 'object') return { ok: true, value: empty };
  return {
    ok: true,
    value: {
      querySentAt: num(o.querySentAt) ? o.querySentAt : 0,
      answeredQueries: Array.isArray(o.answeredQueries) ? o.answeredQueries.filter(str).slice(-MAX_ANSWERED) : [],
      lastPeer: str(o.lastPeer) ? o.lastPeer : null,
    },
  };
}

export async function saveMeta(kr: Keyring, site: string, conversation: string, meta: ConversationMeta): Promise<R<void>> {
  const put = await kr.putSession(
    { site, conversation, peer: META_PEER },
    { ...meta, answeredQueries: meta.answeredQueries.slice(-MAX_ANSWERED) },
  );
  return put.ok ? { ok: true, value: undefined } : keyringFail(put.error.code);
}
