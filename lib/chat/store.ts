/**
 * The conversation store: the one owner of what the text engine keeps per conversation, inside
 * the keyring's encrypted records.
 *   - per peer of a conversation: the protocol's conversation state plus what the UI shows about
 *     the session (safety number, SAS, notices) — a keyring session record;
 *   - per conversation: its meta (query sent, queries answered, last peer) — a keyring
 *     conversation record.
 * Records are keyed by typed objects, never by strings parsed back, and validated when read:
 * storage is treated as hostile. Everything else (text engine, call and keyring services) asks
 * this store; nobody else reads or writes these records.
 */
import type { Keyring } from '../keyring/index.ts';
import { ok, type Result } from '../result.ts';
import { parseConversation, serializeConversation, type ConversationState } from '../protocol/index.ts';

const MAX_ANSWERED = 200;

/** A conversation: the site (the page's origin) and the site's own id for it. */
export interface ConversationKey {
  site: string;
  conversationId: string;
}

/** One peer of a conversation. */
export interface PeerKey extends ConversationKey {
  peer: string;
}

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

export type StoreError = { code: 'locked' | 'storage'; message: string };
type StoreResult<T> = Result<T, StoreError>;

const EMPTY_META: ConversationMeta = { querySentAt: 0, answeredQueries: [], lastPeer: null };

const str = (v: unknown): v is string => typeof v === 'string';
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function parseSummary(v: unknown): SessionSummary | null {
  if (!v || typeof v !== 'object') return null;
  const o = v as Record<string, unknown>;
  if (!str(o.sessionId) || !(o.safetyNumber === null || str(o.safetyNumber)) || !str(o.peerKeyHex) || !(o.sas === null || str(o.sas))) return null;
  return { sessionId: o.sessionId, safetyNumber: o.safetyNumber, sas: o.sas, peerKeyHex: o.peerKeyHex };
}

function parsePeer(v: unknown): StoreResult<PeerRecord | null> {
  if (v === null || v === undefined) return ok(null);
  const o = v as Record<string, unknown>;
  const parsed = parseConversation(o.state);
  if (!parsed.ok) return { ok: false, error: { code: 'storage', message: `session record unreadable: ${parsed.error.message}` } };
  return ok({
    state: parsed.value,
    established: parseSummary(o.established),
    notice: str(o.notice) ? o.notice : null,
    lastRekeyAt: num(o.lastRekeyAt) ? o.lastRekeyAt : 0,
  });
}

function parseMeta(v: unknown): ConversationMeta {
  if (!v || typeof v !== 'object') return EMPTY_META;
  const o = v as Record<string, unknown>;
  return {
    querySentAt: num(o.querySentAt) ? o.querySentAt : 0,
    answeredQueries: Array.isArray(o.answeredQueries) ? o.answeredQueries.filter(str).slice(-MAX_ANSWERED) : [],
    lastPeer: str(o.lastPeer) ? o.lastPeer : null,
  };
}

function keyringFail(code: string): { ok: false; error: StoreError } {
  return { ok: false, error: code === 'locked' ? { code: 'locked', message: 'Veil is locked' } : { code: 'storage', message: `storage: ${code}` } };
}

const sessionRef = (k: PeerKey) => ({ site: k.site, conversation: k.conversationId, peer: k.peer });
const conversationRef = (k: ConversationKey) => ({ site: k.site, conversation: k.conversationId });

export class ConversationStore {
  constructor(private readonly keyring: Keyring) {}

  async loadPeer(key: PeerKey): Promise<StoreResult<PeerRecord | null>> {
    const got = await this.keyring.getSession(sessionRef(key));
    return got.ok ? parsePeer(got.value) : keyringFail(got.error.code);
  }

  /** Resolves only after the keyring acknowledged the write: call before any dependent ciphertext leaves. */
  async savePeer(key: PeerKey, rec: PeerRecord): Promise<StoreResult<void>> {
    const put = await this.keyring.putSession(sessionRef(key), {
      state: serializeConversation(rec.state),
      established: rec.established,
      notice: rec.notice,
      lastRekeyAt: rec.lastRekeyAt,
    });
    return put.ok ? ok(undefined) : keyringFail(put.error.code);
  }

  async loadMeta(key: ConversationKey): Promise<StoreResult<ConversationMeta>> {
    const got = await this.keyring.getConversation(conversationRef(key));
    return got.ok ? ok(parseMeta(got.value)) : keyringFail(got.error.code);
  }

  async saveMeta(key: ConversationKey, meta: ConversationMeta): Promise<StoreResult<void>> {
    const put = await this.keyring.putConversation(conversationRef(key), { ...meta, answeredQueries: meta.answeredQueries.slice(-MAX_ANSWERED) });
    return put.ok ? ok(undefined) : keyringFail(put.error.code);
  }

  /**
   * The confirmed session a conversation's calls use: with the page's peer first, then with the
   * last peer a key agreement ran with (a video page may name its partner differently).
   */
  async confirmedSession(key: ConversationKey, pagePeer: string | null): Promise<StoreResult<{ peer: string; state: ConversationState } | null>> {
    const candidates: string[] = pagePeer ? [pagePeer] : [];
    const meta = await this.loadMeta(key);
    if (!meta.ok) return meta;
    if (meta.value.lastPeer && !candidates.includes(meta.value.lastPeer)) candidates.push(meta.value.lastPeer);
    for (const peer of candidates) {
      const rec = await this.loadPeer({ ...key, peer });
      if (!rec.ok) return rec;
      if (rec.value?.state.session?.confirmed) return ok({ peer, state: rec.value.state });
    }
    return ok(null);
  }

  /** Every readable stored session with one contact (a handle on a site), in any conversation. */
  async sessionsWith(contact: { site: string; handle: string }): Promise<StoreResult<Array<{ key: PeerKey; record: PeerRecord }>>> {
    const refs = await this.keyring.listSessions();
    if (!refs.ok) return keyringFail(refs.error.code);
    const out: Array<{ key: PeerKey; record: PeerRecord }> = [];
    for (const ref of refs.value) {
      if (ref.site !== contact.site || ref.peer !== contact.handle) continue;
      const key = { site: ref.site, conversationId: ref.conversation, peer: ref.peer };
      const rec = await this.loadPeer(key);
      // An unreadable record is skipped here: verification looks for any usable session.
      if (rec.ok && rec.value) out.push({ key, record: rec.value });
    }
    return ok(out);
  }
}
