/**
 * The user's identity and per-conversation session states, both opaque JSON values produced by
 * lib/protocol's serializer (this module never interprets them). Each session is its own sealed
 * record (hidden storage key) so a ratchet step rewrites one small record; an index of
 * (site, conversation, peer) triples allows listing and deletion.
 *
 * putSession resolves only after the store acknowledged the write: the caller awaits it before
 * letting the ciphertext that depends on the new state leave the background.
 */
import { utf8Length } from '../bytes.ts';
import { isJsonSafe, isPlainObject } from './encoding.ts';
import { err, ok } from '../result.ts';
import { corrupt, type Result } from './errors.ts';
import type { RecordIO } from './records.ts';
import { invalid, LIMITS, RECORD_NAMES, STORAGE_KEYS, validateId } from './schema.ts';

export interface SessionRef {
  site: string;
  conversation: string;
  peer: string;
}

/** Upper bound on one serialized opaque value (identity or session state). */
export const MAX_OPAQUE_BYTES = 1024 * 1024;

export function checkOpaque(value: unknown): Result<void> {
  if (value === undefined || !isJsonSafe(value)) return invalid('value is not JSON-safe');
  if (utf8Length(JSON.stringify(value)) > MAX_OPAQUE_BYTES) return err({ code: 'limit-exceeded', detail: 'value too large' });
  return ok(undefined);
}

function checkRef(ref: SessionRef): boolean {
  return validateId(ref.site, LIMITS.site) && validateId(ref.conversation, LIMITS.conversation) && validateId(ref.peer, LIMITS.handle);
}

const same = (a: SessionRef, b: SessionRef): boolean => a.site === b.site && a.conversation === b.conversation && a.peer === b.peer;

export class IdentityStore {
  constructor(private readonly io: RecordIO) {}

  async get(): Promise<Result<unknown>> {
    const rec = await this.io.read(STORAGE_KEYS.identity, RECORD_NAMES.identity, [1, 2]);
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

export class SessionStore {
  private index: SessionRef[] | null = null;

  constructor(private readonly io: RecordIO) {}

  private storageKey(ref: SessionRef): { key: string; name: string } {
    const name = RECORD_NAMES.session(ref.site, ref.conversation, ref.peer);
    return { key: this.io.hiddenKey(STORAGE_KEYS.sessionPrefix, name), name };
  }

  async list(): Promise<Result<SessionRef[]>> {
    if (this.index) return ok(this.index);
    const rec = await this.io.read(STORAGE_KEYS.sessionsIndex, RECORD_NAMES.sessionsIndex, [1, 2]);
    if (!rec.ok) return rec;
    if (!rec.value) {
      this.index = [];
      return ok(this.index);
    }
    const body = rec.value.value;
    if (!isPlainObject(body) || !Array.isArray(body.sessions) || body.sessions.length > LIMITS.sessions) {
      return corrupt(RECORD_NAMES.sessionsIndex, 'index malformed');
    }
    const refs: SessionRef[] = [];
    for (const s of body.sessions) {
      if (!Array.isArray(s) || s.length !== 3) return corrupt(RECORD_NAMES.sessionsIndex, 'entry malformed');
      const ref = { site: s[0] as string, conversation: s[1] as string, peer: s[2] as string };
      if (!checkRef(ref)) return corrupt(RECORD_NAMES.sessionsIndex, 'entry malformed');
      refs.push(ref);
    }
    this.index = refs;
    return ok(refs);
  }

  private sealIndex(refs: SessionRef[]): unknown {
    return this.io.seal(RECORD_NAMES.sessionsIndex, { sessions: refs.map((r) => [r.site, r.conversation, r.peer]) });
  }

  async get(ref: SessionRef): Promise<Result<unknown>> {
    if (!checkRef(ref)) return invalid('session reference malformed');
    const { key, name } = this.storageKey(ref);
    const rec = await this.io.read(key, name, [1, 2]);
    if (!rec.ok) return rec;
    if (!rec.value) return ok(null);
    const body = rec.value.value;
    if (!isPlainObject(body) || !('state' in body)) return corrupt(name, 'session record malformed');
    return ok(body.state);
  }

  async put(ref: SessionRef, state: unknown): Promise<Result<void>> {
    if (!checkRef(ref)) return invalid('session reference malformed');
    if (state === null) return invalid('state must not be null (use delete)');
    const c = checkOpaque(state);
    if (!c.ok) return c;
    const idx = await this.list();
    if (!idx.ok) return idx;
    const { key, name } = this.storageKey(ref);
    const items: Record<string, unknown> = { [key]: this.io.seal(name, { state }) };
    const isNew = !idx.value.some((r) => same(r, ref));
    const nextIndex = isNew ? [...idx.value, { ...ref }] : idx.value;
    if (isNew) {
      if (idx.value.length >= LIMITS.sessions) return err({ code: 'limit-exceeded', detail: 'too many sessions' });
      items[STORAGE_KEYS.sessionsIndex] = this.sealIndex(nextIndex);
    }
    const w = await this.io.write(items);
    if (!w.ok) return w;
    this.index = nextIndex;
    return ok(undefined);
  }

  async delete(ref: SessionRef): Promise<Result<void>> {
    if (!checkRef(ref)) return invalid('session reference malformed');
    const idx = await this.list();
    if (!idx.ok) return idx;
    const nextIndex = idx.value.filter((r) => !same(r, ref));
    const w = await this.io.write({ [STORAGE_KEYS.sessionsIndex]: this.sealIndex(nextIndex) });
    if (!w.ok) return w;
    this.index = nextIndex;
    return this.io.remove([this.storageKey(ref).key]);
  }
}
