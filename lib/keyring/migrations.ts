/**
 * Schema migrations, run right after the data key is obtained (they must decrypt records).
 *
 * Rules: a migration reads and validates everything it needs BEFORE writing anything; all new
 * records and the new root are written in ONE store.set (so a crash leaves either the old or the
 * new schema); obsolete records are removed only afterwards (a crash there leaves an orphan that
 * the new schema ignores). Any corrupt input aborts the migration with a typed error and nothing
 * is written or deleted.
 */
import { LIMITS, RECORD_NAMES, STORAGE_KEYS, validateContactList, validateSettingsV1, DEFAULT_SETTINGS, type Contact, type RootRecord } from './schema.ts';
import { CONVERSATION_KIND, KeyedRecords, SESSION_KIND, type ConversationRef, type SessionRef } from './sessions.ts';
import { isPlainObject } from './encoding.ts';
import { ok } from '../result.ts';
import { corrupt, type Result } from './errors.ts';
import type { RecordIO } from './records.ts';

interface MigrationStep {
  from: number;
  to: number;
  run(root: RootRecord, io: RecordIO): Promise<Result<RootRecord>>;
}

/** v1 -> v2: split the single contacts record per site; settings gain strictCalls. */
const v1ToV2: MigrationStep = {
  from: 1,
  to: 2,
  async run(root, io) {
    const settingsRec = await io.read(STORAGE_KEYS.settings, RECORD_NAMES.settings, [1]);
    if (!settingsRec.ok) return settingsRec;
    let settingsV1 = { autoLockMinutes: DEFAULT_SETTINGS.autoLockMinutes, retentionDays: DEFAULT_SETTINGS.retentionDays, cacheMaxBytes: DEFAULT_SETTINGS.cacheMaxBytes };
    if (settingsRec.value) {
      const s = validateSettingsV1(settingsRec.value.value);
      if (!s.ok) return corrupt(RECORD_NAMES.settings, s.error);
      settingsV1 = s.value;
    }

    const contactsRec = await io.read(STORAGE_KEYS.contactsV1, RECORD_NAMES.contactsV1, [1]);
    if (!contactsRec.ok) return contactsRec;
    const bySite = new Map<string, Contact[]>();
    if (contactsRec.value) {
      const body = contactsRec.value.value;
      if (!isPlainObject(body)) return corrupt(RECORD_NAMES.contactsV1, 'contacts record not an object');
      const list = validateContactList(body.contacts, LIMITS.contactsPerSite * LIMITS.sites);
      if (!list.ok) return corrupt(RECORD_NAMES.contactsV1, list.error);
      for (const c of list.value) {
        const arr = bySite.get(c.site) ?? [];
        if (arr.some((x) => x.handle === c.handle)) return corrupt(RECORD_NAMES.contactsV1, 'duplicate contact');
        arr.push(c);
        bySite.set(c.site, arr);
      }
      if (bySite.size > LIMITS.sites) return corrupt(RECORD_NAMES.contactsV1, 'too many sites');
    }

    const next: RootRecord = { ...root, schema: 2 };
    const items: Record<string, unknown> = {
      [STORAGE_KEYS.settings]: io.seal(RECORD_NAMES.settings, { ...settingsV1, strictCalls: DEFAULT_SETTINGS.strictCalls }, 2),
      [STORAGE_KEYS.contactsIndex]: io.seal(RECORD_NAMES.contactsIndex, { sites: [...bySite.keys()] }, 2),
      [STORAGE_KEYS.root]: next,
    };
    for (const [site, contacts] of bySite) {
      const name = RECORD_NAMES.contactSite(site);
      items[io.hiddenKey(STORAGE_KEYS.contactSitePrefix, name)] = io.seal(name, { site, contacts }, 2);
    }
    const w = await io.write(items);
    if (!w.ok) return w;
    // Best effort: the v2 schema never reads this key again.
    await io.remove([STORAGE_KEYS.contactsV1]);
    return ok(next);
  },
};

/** The peer the text engine used for its per-conversation record before v3 (never a real handle). */
export const V2_META_PEER = ' ';

/**
 * v2 -> v3: the text engine kept each conversation's own record (query sent, answered queries,
 * last peer) as a session whose peer was ' '. Each moves, value unchanged, to a conversation
 * record of its own; the sessions index lists only real peers afterwards. Cache shards are not
 * rewritten (the cache reads v1/v2 shards as they are).
 */
const v2ToV3: MigrationStep = {
  from: 2,
  to: 3,
  async run(root, io) {
    const sessions = new KeyedRecords<SessionRef>(io, SESSION_KIND);
    const conversations = new KeyedRecords<ConversationRef>(io, CONVERSATION_KIND);
    const refs = await sessions.list();
    if (!refs.ok) return refs;
    const metaRefs = refs.value.filter((r) => r.peer === V2_META_PEER);
    const items: Record<string, unknown> = {};
    const moved: ConversationRef[] = [];
    for (const ref of metaRefs) {
      const value = await sessions.get(ref);
      if (!value.ok) return value;
      // Listed but absent: nothing to move (a crash between writes of an older version).
      if (value.value === null) continue;
      const to = { site: ref.site, conversation: ref.conversation };
      items[conversations.storageKey(to).key] = io.seal(RECORD_NAMES.conversation(to.site, to.conversation), { state: value.value }, 3);
      moved.push(to);
    }
    const next: RootRecord = { ...root, schema: 3 };
    items[STORAGE_KEYS.sessionsIndex] = io.seal(RECORD_NAMES.sessionsIndex, { sessions: refs.value.filter((r) => r.peer !== V2_META_PEER).map((r) => [r.site, r.conversation, r.peer]) }, 3);
    items[STORAGE_KEYS.conversationsIndex] = io.seal(RECORD_NAMES.conversationsIndex, { conversations: moved.map((r) => [r.site, r.conversation]) }, 3);
    items[STORAGE_KEYS.root] = next;
    const w = await io.write(items);
    if (!w.ok) return w;
    // Best effort: v3 never reads these records again (the index no longer lists them).
    await io.remove(metaRefs.map((r) => sessions.storageKey(r).key));
    return ok(next);
  },
};

export const MIGRATIONS: readonly MigrationStep[] = [v1ToV2, v2ToV3];

/** Brings the root (and records) up to CURRENT_SCHEMA, one step at a time. */
export async function migrate(root: RootRecord, io: RecordIO, target: number): Promise<Result<RootRecord>> {
  let current = root;
  while (current.schema < target) {
    const step = MIGRATIONS.find((m) => m.from === current.schema);
    if (!step) return corrupt('root', `no migration from schema ${current.schema}`);
    const r = await step.run(current, io);
    if (!r.ok) return r;
    current = r.value;
  }
  return ok(current);
}
