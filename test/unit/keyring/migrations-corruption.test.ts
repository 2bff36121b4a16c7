import { describe, expect, it } from 'vitest';
import { Keyring, type Contact } from '../../../lib/keyring/index.ts';
import { bytesToBase64 } from '../../../lib/bytes.ts';
import { fingerprintOf } from '../../../lib/keyring/contacts.ts';
import { RecordIO } from '../../../lib/keyring/records.ts';
import { CURRENT_SCHEMA, RECORD_NAMES, STORAGE_KEYS } from '../../../lib/keyring/schema.ts';
import { createKeySlot, defaultRandom, keyCheckValue, sealRecord } from '../../../lib/keyring/vault.ts';
import { digestOf, errorCode, expectOk, FAST_KDF, freshKeyring, key, memoryEnv, openKeyring, T0, USER } from './helpers.ts';

function contact(site: string, handle: string, k: Uint8Array, extra: Partial<Contact> = {}): Contact {
  return { site, handle, key: bytesToBase64(k), fingerprint: fingerprintOf(k), firstSeen: T0, keySince: T0, verified: false, keyChanged: false, history: [], ...extra };
}

/** Writes storage exactly as schema v1 laid it out (single contacts record, settings without strictCalls). */
async function writeV1(env: ReturnType<typeof memoryEnv>, passphrase: string | null, contacts: Contact[]): Promise<void> {
  const dataKey = defaultRandom(32);
  const slot = await createKeySlot(dataKey, passphrase, FAST_KDF, defaultRandom);
  const io = new RecordIO(env.local, dataKey.slice(), defaultRandom);
  const ref = { site: 'a.example', conversation: 'room', peer: 'bob' };
  const sessionName = RECORD_NAMES.session(ref.site, ref.conversation, ref.peer);
  await env.local.set({
    [STORAGE_KEYS.root]: { format: 'veil-keyring', schema: 1, slot, check: sealRecord(dataKey, RECORD_NAMES.keyCheck, 1, keyCheckValue(), defaultRandom) },
    [STORAGE_KEYS.settings]: sealRecord(dataKey, 'settings', 1, { autoLockMinutes: 7, retentionDays: 30, cacheMaxBytes: 1_000_000 }, defaultRandom),
    [STORAGE_KEYS.contactsV1]: sealRecord(dataKey, 'contacts', 1, { contacts }, defaultRandom),
    [STORAGE_KEYS.identity]: sealRecord(dataKey, 'identity', 1, { identity: { v1: 'identity' } }, defaultRandom),
    [STORAGE_KEYS.sessionsIndex]: sealRecord(dataKey, 'sessions-index', 1, { sessions: [[ref.site, ref.conversation, ref.peer]] }, defaultRandom),
    [io.hiddenKey(STORAGE_KEYS.sessionPrefix, sessionName)]: sealRecord(dataKey, sessionName, 1, { state: { ratchet: 'v1' } }, defaultRandom),
  });
}

describe('migration v1 -> v2', () => {
  const v1Contacts = [
    contact('a.example', 'bob', key(1), { verified: true }),
    contact('a.example', 'carol', key(2)),
    contact('b.example', 'bob', key(3), { keyChanged: true, history: [{ key: bytesToBase64(key(9)), fingerprint: fingerprintOf(key(9)), firstSeen: 1, replacedAt: 2 }] }),
  ];

  it('with a passphrase: migrates on unlock, keeps every value, splits contacts per site', async () => {
    const env = memoryEnv();
    await writeV1(env, 'pw', v1Contacts);
    const kr = await openKeyring(env);
    expect(kr.state).toBe('locked');
    // Still v1 on disk until the key is available.
    expect(((await env.local.get([STORAGE_KEYS.root]))[STORAGE_KEYS.root] as { schema: number }).schema).toBe(1);
    expectOk(await kr.unlock('pw'));
    // Migrations run through to the current schema (v2 and every later step).
    expect(((await env.local.get([STORAGE_KEYS.root]))[STORAGE_KEYS.root] as { schema: number }).schema).toBe(CURRENT_SCHEMA);
    expect(await env.local.get([STORAGE_KEYS.contactsV1])).toEqual({});
    expect(expectOk(await kr.getSettings())).toEqual({ autoLockMinutes: 7, retentionDays: 30, cacheMaxBytes: 1_000_000, strictCalls: true });
    expect(expectOk(await kr.listContacts('a.example')).map((c) => c.handle).sort()).toEqual(['bob', 'carol']);
    expect(expectOk(await kr.listContacts('b.example'))).toEqual([v1Contacts[2]]);
    expect(expectOk(await kr.getContact('a.example', 'bob'))).toEqual(v1Contacts[0]);
    expect(expectOk(await kr.canSend('b.example', 'bob'))).toEqual({ allowed: false, reason: 'key-changed' });
    expect(expectOk(await kr.getIdentity())).toEqual({ v1: 'identity' });
    expect(expectOk(await kr.getSession({ site: 'a.example', conversation: 'room', peer: 'bob' }))).toEqual({ ratchet: 'v1' });
    // A second instance sees a v2 vault and does not migrate again.
    expectOk(await kr.lock());
    const again = await openKeyring(env);
    expectOk(await again.unlock('pw'));
    expect(expectOk(await again.listContacts()).length).toBe(3);
  });

  it('without a passphrase: migrates on open', async () => {
    const env = memoryEnv();
    await writeV1(env, null, v1Contacts);
    const kr = await openKeyring(env);
    expect(kr.state).toBe('unlocked');
    expect(expectOk(await kr.listContacts()).length).toBe(3);
  });

  it('an empty v1 vault (no contacts, no settings record) migrates to defaults', async () => {
    const env = memoryEnv();
    await writeV1(env, 'pw', []);
    await env.local.remove([STORAGE_KEYS.settings]);
    const kr = await openKeyring(env);
    expectOk(await kr.unlock('pw'));
    expect(expectOk(await kr.listContacts())).toEqual([]);
    expect(expectOk(await kr.getSettings()).strictCalls).toBe(true);
  });

  it('corrupt v1 contacts abort the migration: typed error, still locked, storage byte-identical', async () => {
    const env = memoryEnv();
    await writeV1(env, 'pw', [contact('a.example', 'bob', key(1)), contact('a.example', 'bob', key(2))]);
    const before = env.local.snapshot();
    const kr = await openKeyring(env);
    const r = await kr.unlock('pw');
    expect(r).toMatchObject({ ok: false, error: { code: 'corrupt', record: 'contacts' } });
    expect(kr.state).toBe('locked');
    expect(env.local.snapshot()).toBe(before);
  });
});

describe('corrupted or truncated storage: typed error, nothing deleted', () => {
  async function setup(): Promise<ReturnType<typeof memoryEnv>> {
    const env = memoryEnv();
    const kr = await freshKeyring(env, 'pw');
    expectOk(await kr.setIdentity({ id: 1 }));
    expectOk(await kr.observePeerKey('a.example', 'bob', key(1)));
    expectOk(await kr.cachePut({ digest: digestOf('w'), kind: 'text', site: 'a.example', conversation: 'c', direction: 'sent', sender: 'me', badge: 'ok', plaintext: 'hello' }));
    expectOk(await kr.lock());
    return env;
  }

  const rootCases: Array<[string, (root: Record<string, unknown>) => unknown, string]> = [
    ['root is a string', () => 'garbage', 'corrupt'],
    ['root is JSON-ish text', (r) => JSON.stringify(r).slice(0, 40), 'corrupt'],
    ['schema is a string', (r) => ({ ...r, schema: '2' }), 'corrupt'],
    ['unknown future version', (r) => ({ ...r, schema: 99 }), 'unsupported-version'],
    ['missing key slot', (r) => ({ ...r, slot: undefined }), 'corrupt'],
    ['hostile KDF params in slot', (r) => ({ ...r, slot: { ...(r.slot as object), kdf: { name: 'scrypt', N: 2 ** 30, r: 8, p: 1, salt: 'AAAAAAAAAAAAAAAAAAAAAA==' } } }), 'corrupt'],
    ['truncated wrapped key', (r) => ({ ...r, slot: { ...(r.slot as object), wrapped: 'AAAA' } }), 'corrupt'],
    ['wrong format marker', (r) => ({ ...r, format: 'other' }), 'corrupt'],
  ];

  it.each(rootCases)('%s', async (_name, mutate, code) => {
    const env = await setup();
    const root = (await env.local.get([STORAGE_KEYS.root]))[STORAGE_KEYS.root] as Record<string, unknown>;
    await env.local.set({ [STORAGE_KEYS.root]: mutate(root) });
    const before = env.local.snapshot();
    const r = await Keyring.open({ local: env.local, session: env.session, kdfParams: FAST_KDF });
    expect(errorCode(r)).toBe(code);
    expect(env.local.snapshot()).toBe(before);
  });

  it('root deleted while records remain: corrupt, not a fresh install', async () => {
    const env = await setup();
    await env.local.remove([STORAGE_KEYS.root]);
    const before = env.local.snapshot();
    const r = await Keyring.open({ local: env.local, session: env.session, kdfParams: FAST_KDF });
    expect(r).toMatchObject({ ok: false, error: { code: 'corrupt', record: 'root' } });
    expect(env.local.snapshot()).toBe(before);
  });

  const recordCases: Array<[string, (rec: { v: number; n: string; c: string }) => unknown]> = [
    ['ciphertext bit flip', (r) => ({ ...r, c: (r.c[0] === 'A' ? 'B' : 'A') + r.c.slice(1) })],
    ['truncated ciphertext', (r) => ({ ...r, c: r.c.slice(0, 8) })],
    ['wrong type', () => 42],
    ['version relabelled (AD mismatch)', (r) => ({ ...r, v: r.v === 2 ? 1 : 2 })],
    ['non-base64 nonce', (r) => ({ ...r, n: '!!!!' })],
  ];

  it.each(recordCases)('settings record: %s -> unlock fails typed, stays locked, byte-identical', async (_name, mutate) => {
    const env = await setup();
    const rec = (await env.local.get([STORAGE_KEYS.settings]))[STORAGE_KEYS.settings] as { v: number; n: string; c: string };
    await env.local.set({ [STORAGE_KEYS.settings]: mutate(rec) });
    const before = env.local.snapshot();
    const kr = await openKeyring(env);
    const r = await kr.unlock('pw');
    expect(r).toMatchObject({ ok: false, error: { code: 'corrupt', record: 'settings' } });
    expect(kr.state).toBe('locked');
    expect(env.local.snapshot()).toBe(before);
  });

  it('a record moved under another record name fails to authenticate', async () => {
    const env = await setup();
    const got = await env.local.get([STORAGE_KEYS.identity, STORAGE_KEYS.settings]);
    await env.local.set({ [STORAGE_KEYS.identity]: got[STORAGE_KEYS.settings] });
    const kr = await openKeyring(env);
    expectOk(await kr.unlock('pw'));
    const before = env.local.snapshot();
    expect(await kr.getIdentity()).toMatchObject({ ok: false, error: { code: 'corrupt', record: 'identity' } });
    // Writing a new identity over an unreadable one is refused (it might be the only copy).
    expect(errorCode(await kr.setIdentity({ id: 2 }))).toBe('corrupt');
    expect(env.local.snapshot()).toBe(before);
  });

  it('corrupted contact shard and cache shard: typed errors on use, nothing deleted or overwritten', async () => {
    const env = await setup();
    const hidden = [...env.local.data.keys()].filter((k) => k.startsWith(STORAGE_KEYS.contactSitePrefix) || k.startsWith(STORAGE_KEYS.cacheShardPrefix));
    expect(hidden.length).toBe(2);
    for (const k of hidden) {
      const rec = JSON.parse(env.local.data.get(k) ?? 'null') as { c: string };
      await env.local.set({ [k]: { ...rec, c: rec.c.slice(0, rec.c.length - 8) } });
    }
    const before = env.local.snapshot();
    const kr = await openKeyring(env);
    expectOk(await kr.unlock('pw'));
    expect(errorCode(await kr.getContact('a.example', 'bob'))).toBe('corrupt');
    expect(errorCode(await kr.observePeerKey('a.example', 'dave', key(4)))).toBe('corrupt');
    expect(errorCode(await kr.cacheGet({ digest: digestOf('w') }))).toBe('corrupt');
    expect(errorCode(await kr.forgetConversation('a.example', 'c'))).toBe('corrupt');
    expect(env.local.snapshot()).toBe(before);
    // The explicit user action is the way out for the cache.
    expectOk(await kr.clearCache(USER));
    expect(expectOk(await kr.cacheGet({ digest: digestOf('w') }))).toBeNull();
  });
});
