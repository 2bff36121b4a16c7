/**
 * Plaintext cache: sent and received messages, encrypted at rest, keyed by a SHA-256 hex digest
 * the caller computes from the ciphertext (forward secrecy means a re-rendered ciphertext cannot
 * be decrypted again; a sender also needs to read their own messages). An entry is either a
 * message's text or a marker for one later part of a long message (its text is filed under the
 * first part's digest).
 *
 * Layout for ~10,000 messages: 256 shards by the digest's first byte, each its own sealed record
 * (hidden storage key), plus one small sealed index holding per-shard summaries
 * [bytes, count, oldest lastUsed, oldest message time]. An insert rewrites one shard (~40
 * messages) and the index; unlock decrypts only the index; shards are decrypted on first use.
 *
 * Bounds: a byte cap with exact least-recently-used eviction (the globally oldest entry lives in
 * the shard with the smallest "oldest lastUsed", so eviction loads only shards it evicts from);
 * retention in days by message time (only shards whose oldest message is too old are loaded);
 * "forget this conversation" (loads every shard: a rare, user-initiated action).
 * lastUsed is refreshed on read at most once per TOUCH_INTERVAL_MS so rendering history does not
 * turn every read into a write; LRU order is therefore exact only to that granularity.
 *
 * Every mutation is computed on copies and installed in memory only after the store acknowledged
 * the write, so a failed write leaves both memory and storage unchanged. A shard that fails to
 * authenticate makes the operations that need it fail with 'corrupt'; nothing is deleted unless
 * the user clears the cache.
 */
import { utf8Length } from '../bytes.ts';
import { isPlainObject, isSafeInt } from './encoding.ts';
import { err, ok } from '../result.ts';
import { corrupt, type Result } from './errors.ts';
import type { RecordIO } from './records.ts';
import { invalid, LIMITS, READABLE, RECORD_NAMES, STORAGE_KEYS, validateId } from './schema.ts';

export const TOUCH_INTERVAL_MS = 60 * 60 * 1000;
export const MAX_PLAINTEXT_BYTES = 256 * 1024;
const MAX_SHARD_ENTRIES = 100_000;
const MAX_BADGE = 64;
/** Fragment counts are 16-bit on the wire. */
const MAX_PART_COUNT = 0xffff;
/** Accounting size of a part marker's own fields (two small integers). */
const PART_BYTES = 8;
const ENTRY_OVERHEAD = 96;
const DAY_MS = 24 * 60 * 60 * 1000;
const HEX64 = /^[0-9a-f]{64}$/;
const PREFIX_RE = /^[0-9a-f]{2}$/;

export type Direction = 'sent' | 'received';

/** What one digest stands for. */
export type CacheEntry =
  /** A message's text, with the status badge it was shown with (e.g. 'verified'). */
  | { kind: 'text'; badge: string; plaintext: string }
  /** Part `index` (1 ≤ index < count) of a long message whose text is filed under part 0. */
  | { kind: 'part'; index: number; count: number };

interface EntryMeta {
  /** SHA-256 hex the caller computed from the ciphertext. */
  digest: string;
  site: string;
  conversation: string;
  direction: Direction;
  sender: string;
}

/** What a caller files; `time` (message time, ms since epoch) defaults to now. */
export type CacheInput = EntryMeta & { time?: number } & CacheEntry;
/** Retention is measured from `time`; eviction follows `lastUsed`. */
export type CachedMessage = EntryMeta & { time: number; lastUsed: number } & CacheEntry;

type Summary = [bytes: number, count: number, minUsed: number, minTime: number];

/** Accounting size of an entry: independent of lastUsed so touching never changes totals. */
export function entrySize(m: CachedMessage): number {
  const own = m.kind === 'text' ? utf8Length(m.plaintext) + utf8Length(m.badge) : PART_BYTES;
  return own + utf8Length(m.sender) + utf8Length(m.site) + utf8Length(m.conversation) + ENTRY_OVERHEAD;
}

/**
 * Shards sealed before schema v3 hold untagged entries, where a later part of a long message was
 * a text entry with no text and the badge "part:k/n". This reader is the only place that form is
 * understood; such a shard is written back tagged the next time it changes.
 */
function untaggedEntry(v: Record<string, unknown>): Record<string, unknown> {
  const part = typeof v.badge === 'string' && v.plaintext === '' ? /^part:(\d{1,5})\/(\d{1,5})$/.exec(v.badge) : null;
  return part ? { kind: 'part', index: Number(part[1]), count: Number(part[2]) } : { kind: 'text', badge: v.badge, plaintext: v.plaintext };
}

function validateEntry(v: Record<string, unknown>): CacheEntry | null {
  if (v.kind === 'text') {
    const { badge, plaintext } = v;
    if (typeof badge !== 'string' || badge.length > MAX_BADGE) return null;
    if (typeof plaintext !== 'string' || plaintext.length > MAX_PLAINTEXT_BYTES) return null;
    return { kind: 'text', badge, plaintext };
  }
  if (v.kind === 'part') {
    const { index, count } = v;
    if (!isSafeInt(count, 2, MAX_PART_COUNT) || !isSafeInt(index, 1, count - 1)) return null;
    return { kind: 'part', index, count };
  }
  return null;
}

function validateMessage(v: unknown, tagged = true): CachedMessage | null {
  if (!isPlainObject(v)) return null;
  const { digest, site, conversation, direction, sender, time, lastUsed } = v;
  if (typeof digest !== 'string' || !HEX64.test(digest)) return null;
  if (!validateId(site, LIMITS.site) || !validateId(conversation, LIMITS.conversation)) return null;
  if (direction !== 'sent' && direction !== 'received') return null;
  if (typeof sender !== 'string' || sender.length > LIMITS.handle) return null;
  if (!isSafeInt(time, 0, 8.64e15) || !isSafeInt(lastUsed, 0, 8.64e15)) return null;
  const entry = validateEntry(tagged ? v : untaggedEntry(v));
  return entry && { digest, site, conversation, direction, sender, time, lastUsed, ...entry };
}

function summarize(entries: CachedMessage[]): Summary {
  let bytes = 0;
  let minUsed = Number.MAX_SAFE_INTEGER;
  let minTime = Number.MAX_SAFE_INTEGER;
  for (const e of entries) {
    bytes += entrySize(e);
    if (e.lastUsed < minUsed) minUsed = e.lastUsed;
    if (e.time < minTime) minTime = e.time;
  }
  return [bytes, entries.length, minUsed, minTime];
}

/** Pending changes of one operation: shard copies and summaries, installed on commit. */
class Tx {
  readonly shards = new Map<string, CachedMessage[]>();
  readonly summaries = new Map<string, Summary | null>();
}

export class PlaintextCache {
  private summaries = new Map<string, Summary>();
  private readonly shards = new Map<string, CachedMessage[]>();
  private loadedIndex = false;

  constructor(private readonly io: RecordIO) {}

  /** Decrypts only the index (small). Called at unlock. */
  async loadIndex(): Promise<Result<void>> {
    if (this.loadedIndex) return ok(undefined);
    const rec = await this.io.read(STORAGE_KEYS.cacheIndex, RECORD_NAMES.cacheIndex, READABLE.cache);
    if (!rec.ok) return rec;
    const summaries = new Map<string, Summary>();
    if (rec.value) {
      const body = rec.value.value;
      if (!isPlainObject(body) || !isPlainObject(body.shards)) return corrupt(RECORD_NAMES.cacheIndex, 'index malformed');
      for (const [prefix, s] of Object.entries(body.shards)) {
        if (!PREFIX_RE.test(prefix) || !Array.isArray(s) || s.length !== 4 || !s.every((n) => isSafeInt(n, 0, Number.MAX_SAFE_INTEGER))) {
          return corrupt(RECORD_NAMES.cacheIndex, 'shard summary malformed');
        }
        summaries.set(prefix, s as Summary);
      }
    }
    this.summaries = summaries;
    this.loadedIndex = true;
    return ok(undefined);
  }

  totalBytes(): number {
    let t = 0;
    for (const s of this.summaries.values()) t += s[0];
    return t;
  }

  totalCount(): number {
    let t = 0;
    for (const s of this.summaries.values()) t += s[1];
    return t;
  }

  /** Number of shards decrypted so far (lazy loading is observable for tests/bench). */
  loadedShardCount(): number {
    return this.shards.size;
  }

  private shardName(prefix: string): { key: string; name: string } {
    const name = RECORD_NAMES.cacheShard(prefix);
    return { key: this.io.hiddenKey(STORAGE_KEYS.cacheShardPrefix, name), name };
  }

  private async shard(prefix: string, tx?: Tx): Promise<Result<CachedMessage[]>> {
    const pending = tx?.shards.get(prefix);
    if (pending) return ok(pending);
    const loaded = this.shards.get(prefix);
    if (loaded) return ok(loaded);
    if (!this.summaries.has(prefix)) return ok([]);
    const { key, name } = this.shardName(prefix);
    const rec = await this.io.read(key, name, READABLE.cache);
    if (!rec.ok) return rec;
    if (!rec.value) return corrupt(name, 'shard listed in the index is missing');
    const body = rec.value.value;
    if (!isPlainObject(body) || !Array.isArray(body.entries) || body.entries.length > MAX_SHARD_ENTRIES) return corrupt(name, 'shard malformed');
    const tagged = rec.value.version >= 3;
    const entries: CachedMessage[] = [];
    for (const e of body.entries) {
      const m = validateMessage(e, tagged);
      if (!m || !m.digest.startsWith(prefix)) return corrupt(name, 'shard entry malformed');
      entries.push(m);
    }
    this.shards.set(prefix, entries);
    return ok(entries);
  }

  private summaryOf(prefix: string, tx: Tx): Summary | null {
    return tx.summaries.has(prefix) ? (tx.summaries.get(prefix) ?? null) : (this.summaries.get(prefix) ?? null);
  }

  private stage(tx: Tx, prefix: string, entries: CachedMessage[]): void {
    tx.shards.set(prefix, entries);
    tx.summaries.set(prefix, entries.length ? summarize(entries) : null);
  }

  private txTotal(tx: Tx): number {
    let t = 0;
    const seen = new Set<string>();
    for (const [p, s] of tx.summaries) {
      seen.add(p);
      if (s) t += s[0];
    }
    for (const [p, s] of this.summaries) if (!seen.has(p)) t += s[0];
    return t;
  }

  /** Writes staged shards + the index in one store.set, then installs them in memory. */
  private async commit(tx: Tx): Promise<Result<void>> {
    if (tx.shards.size === 0) return ok(undefined);
    const next = new Map(this.summaries);
    for (const [p, s] of tx.summaries) {
      if (s) next.set(p, s);
      else next.delete(p);
    }
    const items: Record<string, unknown> = {};
    const removed: string[] = [];
    for (const [p, entries] of tx.shards) {
      const { key, name } = this.shardName(p);
      if (entries.length) items[key] = this.io.seal(name, { entries });
      else removed.push(key);
    }
    items[STORAGE_KEYS.cacheIndex] = this.io.seal(RECORD_NAMES.cacheIndex, { shards: Object.fromEntries(next) });
    const w = await this.io.write(items);
    if (!w.ok) return w;
    this.summaries = next;
    for (const [p, entries] of tx.shards) {
      if (entries.length) this.shards.set(p, entries);
      else this.shards.delete(p);
    }
    // The index no longer lists emptied shards; removing them afterwards is only cleanup.
    await this.io.remove(removed);
    return ok(undefined);
  }

  /** Evicts least-recently-used entries until the staged total fits in `cap`. */
  private async evict(tx: Tx, cap: number, protect?: string): Promise<Result<void>> {
    const protectPrefix = protect?.slice(0, 2);
    while (this.txTotal(tx) > cap) {
      let victim: string | null = null;
      let oldest = Number.MAX_SAFE_INTEGER;
      const prefixes = new Set([...this.summaries.keys(), ...tx.summaries.keys()]);
      for (const p of prefixes) {
        const s = this.summaryOf(p, tx);
        // Never evict the entry being inserted (ties in lastUsed would otherwise allow it).
        if (s && s[1] > (p === protectPrefix ? 1 : 0) && s[2] <= oldest) {
          oldest = s[2];
          victim = p;
        }
      }
      if (victim === null) break;
      const entries = await this.shard(victim, tx);
      if (!entries.ok) return entries;
      let idx = -1;
      entries.value.forEach((e, i) => {
        if (e.digest === protect) return;
        const cur = entries.value[idx];
        if (!cur || e.lastUsed < cur.lastUsed) idx = i;
      });
      if (idx < 0) break;
      this.stage(tx, victim, entries.value.filter((_, i) => i !== idx));
    }
    return ok(undefined);
  }

  async put(input: CacheInput, now: number, capBytes: number): Promise<Result<CachedMessage>> {
    const digest = input.digest;
    if (typeof digest !== 'string' || !HEX64.test(digest)) return invalid('digest must be 64 lowercase hex chars');
    const m = validateMessage({ ...input, time: input.time ?? now, lastUsed: now });
    if (!m || (m.kind === 'text' && utf8Length(m.plaintext) > MAX_PLAINTEXT_BYTES)) return invalid('message fields malformed');
    if (entrySize(m) > capBytes) return err({ code: 'limit-exceeded', detail: 'message larger than the cache cap' });
    const loaded = await this.loadIndex();
    if (!loaded.ok) return loaded;
    const prefix = digest.slice(0, 2);
    const tx = new Tx();
    const entries = await this.shard(prefix, tx);
    if (!entries.ok) return entries;
    this.stage(tx, prefix, [...entries.value.filter((e) => e.digest !== digest), m]);
    const ev = await this.evict(tx, capBytes, digest);
    if (!ev.ok) return ev;
    const c = await this.commit(tx);
    if (!c.ok) return c;
    return ok({ ...m });
  }

  /**
   * Looks up a message by digest. The result carries the conversation it was cached for: the
   * caller must compare it with where the ciphertext is rendered (a page can copy a ciphertext
   * into another conversation).
   */
  async get({ digest }: { digest: string }, now: number): Promise<Result<CachedMessage | null>> {
    if (typeof digest !== 'string' || !HEX64.test(digest)) return invalid('digest must be 64 lowercase hex chars');
    const loaded = await this.loadIndex();
    if (!loaded.ok) return loaded;
    const prefix = digest.slice(0, 2);
    const entries = await this.shard(prefix);
    if (!entries.ok) return entries;
    const found = entries.value.find((e) => e.digest === digest);
    if (!found) return ok(null);
    if (now - found.lastUsed >= TOUCH_INTERVAL_MS) {
      const tx = new Tx();
      const touched = { ...found, lastUsed: now };
      this.stage(tx, prefix, entries.value.map((e) => (e === found ? touched : e)));
      const c = await this.commit(tx);
      if (!c.ok) return c;
      return ok({ ...touched });
    }
    return ok({ ...found });
  }

  private async filterShards(prefixes: string[], keep: (m: CachedMessage) => boolean): Promise<Result<number>> {
    const tx = new Tx();
    let removed = 0;
    for (const p of prefixes) {
      const entries = await this.shard(p);
      if (!entries.ok) return entries;
      const kept = entries.value.filter(keep);
      if (kept.length !== entries.value.length) {
        removed += entries.value.length - kept.length;
        this.stage(tx, p, kept);
      }
    }
    const c = await this.commit(tx);
    if (!c.ok) return c;
    return ok(removed);
  }

  /** Deletes every cached message of one conversation. Returns how many were removed. */
  async forgetConversation(site: string, conversation: string): Promise<Result<number>> {
    if (!validateId(site, LIMITS.site) || !validateId(conversation, LIMITS.conversation)) return invalid('site or conversation malformed');
    const loaded = await this.loadIndex();
    if (!loaded.ok) return loaded;
    return this.filterShards([...this.summaries.keys()], (m) => !(m.site === site && m.conversation === conversation));
  }

  /** Deletes messages older than `days` (0 = keep). Loads only shards holding old messages. */
  async applyRetention(now: number, days: number): Promise<Result<number>> {
    if (days <= 0) return ok(0);
    const loaded = await this.loadIndex();
    if (!loaded.ok) return loaded;
    const cutoff = now - days * DAY_MS;
    const old = [...this.summaries.entries()].filter(([, s]) => s[3] < cutoff).map(([p]) => p);
    return this.filterShards(old, (m) => m.time >= cutoff);
  }

  /** Enforces a (possibly lowered) cap without inserting anything. */
  async enforceCap(capBytes: number): Promise<Result<void>> {
    const loaded = await this.loadIndex();
    if (!loaded.ok) return loaded;
    const tx = new Tx();
    const ev = await this.evict(tx, capBytes);
    if (!ev.ok) return ev;
    return this.commit(tx);
  }

  /** User action: drop the whole cache, including shards that fail to authenticate. */
  async clear(): Promise<Result<void>> {
    const keys = [];
    for (let i = 0; i < 256; i++) keys.push(this.shardName(i.toString(16).padStart(2, '0')).key);
    const r = await this.io.remove([STORAGE_KEYS.cacheIndex, ...keys]);
    if (!r.ok) return r;
    this.summaries = new Map();
    this.shards.clear();
    this.loadedIndex = true;
    return ok(undefined);
  }
}
