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

export const MIGRATIONS: readonly MigrationStep[] = [v1ToV2];

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
