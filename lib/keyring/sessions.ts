/**
 * The user's identity, per-conversation session states and per-conversation records: opaque JSON
 * values produced by the layers above (lib/protocol's serializer, the text engine's conversation
 * store); this module never interprets them. Each session and each conversation record is its
 * own sealed record (hidden storage key), so a ratchet step rewrites one small record; an index
 * per kind lists the keys for listing and deletion.
 *
 * put resolves only after the store acknowledged the write: the caller awaits it before letting
 * the ciphertext that depends on the new state leave the background.
 */
import { utf8Length } from '../bytes.ts';
import { err, ok } from '../result.ts';
import { isJsonSafe, isPlainObject } from './encoding.ts';
import { corrupt, type Result } from './errors.ts';
import type { RecordIO } from './records.ts';
import { invalid, LIMITS, READABLE, RECORD_NAMES, STORAGE_KEYS, validateId } from './schema.ts';

/** One session: the protocol state with one peer in one conversation of one site. */
export interface SessionRef {
  site: string;
  conversation: string;
  peer: string;
}

/** One conversation of one site (whoever the peers are). */
export interface ConversationRef {
  site: string;
  conversation: string;
}

/** Upper bound on one serialized opaque value (identity or session state). */
export const MAX_OPAQUE_BYTES = 1024 * 1024;

export function checkOpaque(value: unknown): Result<void> {
  if (value === undefined || !isJsonSafe(value)) return invalid('value is not JSON-safe');
  if (utf8Length(JSON.stringify(value)) > MAX_OPAQUE_BYTES) return err({ code: 'limit-exceeded', detail: 'value too large' });
  return ok(undefined);
}

export class IdentityStore {
  constructor(private readonly io: RecordIO) {}

  async get(): Promise<Result<unknown>> {
    const rec = await this.io.read(STORAGE_KEYS.identity, RECORD_NAMES.identity, READABLE.identity);
    if (!rec.ok) return rec;
    if (!rec.value) return ok(null);
    const body = rec.value.value;
    if (!isPlainObject(body) || !('identity' in body)) return corrupt(RECORD_NAMES.identity, 'identity record malformed');
    return ok(body.identity);
  }

  /** Refuses to overwrite an existing identity unless `replace` is true. */
  async put(identity: unknown, replace: boolean): Promise<Result<void>> {
    if (identity === null) return invalid('identity must not be null');
    const c = checkOpaque(identity);
    if (!c.ok) return c;
    if (!replace) {
      const existing = await this.get();
      if (!existing.ok) return existing;
      if (existing.value !== null) return err({ code: 'identity-exists' });
    }
    return this.io.write({ [STORAGE_KEYS.identity]: this.io.seal(RECORD_NAMES.identity, { identity }) });
  }
}

/** How one kind of keyed record is laid out in storage. */
export interface KeyedKind<Ref extends object> {
  /** Used in messages: 'session', 'conversation'. */
  what: string;
  /** The key's fields, in the order index entries list them, with each one's length limit. */
  fields: ReadonlyArray<readonly [keyof Ref & string, number]>;
  max: number;
  index: { key: string; name: string; field: string; readable: readonly number[] };
  prefix: string;
  name(ref: Ref): string;
  readable: readonly number[];
}

export const SESSION_KIND: KeyedKind<SessionRef> = {
  what: 'session',
  fields: [
    ['site', LIMITS.site],
    ['conversation', LIMITS.conversation],
    ['peer', LIMITS.handle],
  ],
  max: LIMITS.sessions,
  index: { key: STORAGE_KEYS.sessionsIndex, name: RECORD_NAMES.sessionsIndex, field: 'sessions', readable: READABLE.sessions },
  prefix: STORAGE_KEYS.sessionPrefix,
  name: (r) => RECORD_NAMES.session(r.site, r.conversation, r.peer),
  readable: READABLE.sessions,
};

export const CONVERSATION_KIND: KeyedKind<ConversationRef> = {
  what: 'conversation',
  fields: [
    ['site', LIMITS.site],
    ['conversation', LIMITS.conversation],
  ],
  max: LIMITS.conversations,
  index: { key: STORAGE_KEYS.conversationsIndex, name: RECORD_NAMES.conversationsIndex, field: 'conversations', readable: READABLE.conversations },
  prefix: STORAGE_KEYS.conversationPrefix,
  name: (r) => RECORD_NAMES.conversation(r.site, r.conversation),
  readable: READABLE.conversations,
};

/** Opaque values keyed by a tuple of ids (sessions, conversations), each its own sealed record. */
export class KeyedRecords<Ref extends object> {
  private index: Ref[] | null = null;

  constructor(
    private readonly io: RecordIO,
    private readonly kind: KeyedKind<Ref>,
  ) {}

  private valid(ref: Ref): boolean {
    const r = ref as Record<string, unknown>;
    return this.kind.fields.every(([f, max]) => validateId(r[f], max));
  }

  private same(a: Ref, b: Ref): boolean {
    const x = a as Record<string, unknown>;
    const y = b as Record<string, unknown>;
    return this.kind.fields.every(([f]) => x[f] === y[f]);
  }

  /** A copy holding only the key's fields. */
  private copy(ref: Ref): Ref {
    const r = ref as Record<string, unknown>;
    return Object.fromEntries(this.kind.fields.map(([f]) => [f, r[f]])) as Ref;
  }

  storageKey(ref: Ref): { key: string; name: string } {
    const name = this.kind.name(ref);
    return { key: this.io.hiddenKey(this.kind.prefix, name), name };
  }

  async list(): Promise<Result<Ref[]>> {
    if (this.index) return ok(this.index);
    const { key, name, field, readable } = this.kind.index;
    const rec = await this.io.read(key, name, readable);
    if (!rec.ok) return rec;
    if (!rec.value) {
      this.index = [];
      return ok(this.index);
    }
    const body = rec.value.value;
    const entries = isPlainObject(body) ? body[field] : undefined;
    if (!Array.isArray(entries) || entries.length > this.kind.max) return corrupt(name, 'index malformed');
    const refs: Ref[] = [];
    for (const e of entries) {
      if (!Array.isArray(e) || e.length !== this.kind.fields.length) return corrupt(name, 'entry malformed');
      const ref = Object.fromEntries(this.kind.fields.map(([f], i) => [f, e[i] as unknown])) as Ref;
      if (!this.valid(ref)) return corrupt(name, 'entry malformed');
      refs.push(ref);
    }
    this.index = refs;
    return ok(refs);
  }

  /** The sealed index over `refs`, for writing together with a record. */
  sealIndex(refs: Ref[]): unknown {
    const r = (ref: Ref) => ref as Record<string, unknown>;
    return this.io.seal(this.kind.index.name, { [this.kind.index.field]: refs.map((ref) => this.kind.fields.map(([f]) => r(ref)[f])) });
  }

  async get(ref: Ref): Promise<Result<unknown>> {
    if (!this.valid(ref)) return invalid(`${this.kind.what} reference malformed`);
    const { key, name } = this.storageKey(ref);
    const rec = await this.io.read(key, name, this.kind.readable);
    if (!rec.ok) return rec;
    if (!rec.value) return ok(null);
    const body = rec.value.value;
    if (!isPlainObject(body) || !('state' in body)) return corrupt(name, `${this.kind.what} record malformed`);
    return ok(body.state);
  }

  async put(ref: Ref, state: unknown): Promise<Result<void>> {
    if (!this.valid(ref)) return invalid(`${this.kind.what} reference malformed`);
    if (state === null) return invalid('state must not be null (use delete)');
    const c = checkOpaque(state);
    if (!c.ok) return c;
    const idx = await this.list();
    if (!idx.ok) return idx;
    const { key, name } = this.storageKey(ref);
    const items: Record<string, unknown> = { [key]: this.io.seal(name, { state }) };
    const isNew = !idx.value.some((r) => this.same(r, ref));
    const nextIndex = isNew ? [...idx.value, this.copy(ref)] : idx.value;
    if (isNew) {
      if (idx.value.length >= this.kind.max) return err({ code: 'limit-exceeded', detail: `too many ${this.kind.what}s` });
      items[this.kind.index.key] = this.sealIndex(nextIndex);
    }
    const w = await this.io.write(items);
    if (!w.ok) return w;
    this.index = nextIndex;
    return ok(undefined);
  }

  async delete(ref: Ref): Promise<Result<void>> {
    if (!this.valid(ref)) return invalid(`${this.kind.what} reference malformed`);
    const idx = await this.list();
    if (!idx.ok) return idx;
    const nextIndex = idx.value.filter((r) => !this.same(r, ref));
    const w = await this.io.write({ [this.kind.index.key]: this.sealIndex(nextIndex) });
    if (!w.ok) return w;
    this.index = nextIndex;
    return this.io.remove([this.storageKey(ref).key]);
  }
}
