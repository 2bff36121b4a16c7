import { describe, expect, it } from 'vitest';
import { createBackup, decryptBackup } from '../../../lib/keyring/backup.ts';
import { bytesToBase64 } from '../../../lib/bytes.ts';
import { DEFAULT_SETTINGS, fingerprintOf } from '../../../lib/keyring/index.ts';
import { defaultRandom } from '../../../lib/keyring/vault.ts';
import { errorCode, expectOk, FAST_KDF, freshKeyring, key, memoryEnv, T0, USER } from './helpers.ts';

describe('backup round trip and import preview', () => {
  it('restores identity, contacts and settings into an empty keyring', async () => {
    const src = await freshKeyring(memoryEnv());
    expectOk(await src.setIdentity({ identity: 'alice-secret' }));
    expectOk(await src.observePeerKey('a.example', 'bob', key(1)));
    expectOk(await src.markVerified('a.example', 'bob', fingerprintOf(key(1)), USER));
    expectOk(await src.observePeerKey('b.example', 'carol', key(2)));
    expectOk(await src.updateSettings({ retentionDays: 7 }, USER));
    expect(errorCode(await src.exportBackup('backup pw', {} as typeof USER))).toBe('not-user-origin');
    const file = expectOk(await src.exportBackup('backup pw', USER));
    expect(file).not.toContain('alice-secret');
    expect(JSON.parse(file)).toMatchObject({ format: 'veil-backup', version: 1, kdf: { name: 'scrypt', N: FAST_KDF.N } });

    const dst = await freshKeyring(memoryEnv());
    expect(errorCode(await dst.previewBackup(file, 'wrong'))).toBe('backup-wrong-passphrase');
    const preview = expectOk(await dst.previewBackup(file, 'backup pw'));
    expect(preview.identity).toBe('new');
    expect(preview.newContacts.map((c) => c.handle).sort()).toEqual(['bob', 'carol']);
    expect(preview.settingsChanged).toEqual(['retentionDays']);
    expect(errorCode(await dst.applyBackup({ ...preview }, USER))).toBe('invalid-argument'); // not an issued preview
    const outcome = expectOk(await dst.applyBackup(preview, USER));
    expect(outcome).toEqual({ identityRestored: true, contactsAdded: 2, settingsApplied: true });
    expect(expectOk(await dst.getIdentity())).toEqual({ identity: 'alice-secret' });
    expect(expectOk(await dst.getContact('a.example', 'bob'))).toMatchObject({ verified: true, fingerprint: fingerprintOf(key(1)) });
    expect(expectOk(await dst.getSettings()).retentionDays).toBe(7);
  });

  it('never replaces an existing identity without replaceIdentity; keeps local keys on conflicts', async () => {
    const src = await freshKeyring(memoryEnv());
    expectOk(await src.setIdentity({ identity: 'old-device' }));
    expectOk(await src.observePeerKey('a.example', 'bob', key(1)));
    expectOk(await src.observePeerKey('a.example', 'dave', key(5)));
    expectOk(await src.markVerified('a.example', 'dave', fingerprintOf(key(5)), USER));
    const file = expectOk(await src.exportBackup('pw', USER));

    const dst = await freshKeyring(memoryEnv());
    expectOk(await dst.setIdentity({ identity: 'this-device' }));
    expectOk(await dst.observePeerKey('a.example', 'bob', key(9))); // different key than the backup
    expectOk(await dst.observePeerKey('a.example', 'dave', key(5)));
    const preview = expectOk(await dst.previewBackup(file, 'pw'));
    expect(preview.identity).toBe('differs');
    expect(preview.changedKeys).toEqual([{ site: 'a.example', handle: 'bob', localFingerprint: fingerprintOf(key(9)), backupFingerprint: fingerprintOf(key(1)) }]);
    expect(preview.newlyVerified).toEqual([{ site: 'a.example', handle: 'dave' }]);
    const outcome = expectOk(await dst.applyBackup(preview, USER));
    expect(outcome.identityRestored).toBe(false);
    expect(expectOk(await dst.getIdentity())).toEqual({ identity: 'this-device' });
    expect(expectOk(await dst.getContact('a.example', 'bob'))?.fingerprint).toBe(fingerprintOf(key(9)));
    expect(expectOk(await dst.getContact('a.example', 'dave'))?.verified).toBe(true);
    // A preview is single-use; a fresh one with explicit replaceIdentity replaces it.
    expect(errorCode(await dst.applyBackup(preview, { origin: 'user', replaceIdentity: true }))).toBe('invalid-argument');
    const p2 = expectOk(await dst.previewBackup(file, 'pw'));
    expect(expectOk(await dst.applyBackup(p2, { origin: 'user', replaceIdentity: true })).identityRestored).toBe(true);
    expect(expectOk(await dst.getIdentity())).toEqual({ identity: 'old-device' });
  });
});

describe('hostile backup files: each rejection typed, bounded work', () => {
  const payload = { identity: { id: 1 }, contacts: [], settings: DEFAULT_SETTINGS, exportedAt: T0 };

  async function valid(p: unknown = payload): Promise<Record<string, unknown>> {
    return JSON.parse(await createBackup(p as typeof payload, 'pw', FAST_KDF, defaultRandom)) as Record<string, unknown>;
  }

  it('accepts the valid file', async () => {
    expect(expectOk(await decryptBackup(JSON.stringify(await valid()), 'pw'))).toEqual(payload);
  });

  const envelopeCases: Array<[string, (f: Record<string, unknown>) => unknown, string]> = [
    ['not text', () => 12345, 'backup-malformed'],
    ['truncated JSON', (f) => JSON.stringify(f).slice(0, 60), 'backup-malformed'],
    ['array', () => '[]', 'backup-malformed'],
    ['other format', (f) => JSON.stringify({ ...f, format: 'pgp' }), 'backup-unsupported'],
    ['future version', (f) => JSON.stringify({ ...f, version: 2 }), 'backup-unsupported'],
    ['version as string', (f) => JSON.stringify({ ...f, version: '1' }), 'backup-malformed'],
    ['unknown kdf', (f) => JSON.stringify({ ...f, kdf: { ...(f.kdf as object), name: 'pbkdf2' } }), 'backup-kdf-params'],
    ['N = 2^30 (gigabytes)', (f) => JSON.stringify({ ...f, kdf: { ...(f.kdf as object), N: 2 ** 30 } }), 'backup-kdf-params'],
    ['N not a power of two', (f) => JSON.stringify({ ...f, kdf: { ...(f.kdf as object), N: 3000 } }), 'backup-kdf-params'],
    ['N too small', (f) => JSON.stringify({ ...f, kdf: { ...(f.kdf as object), N: 16 } }), 'backup-kdf-params'],
    ['p = 1000 (minutes)', (f) => JSON.stringify({ ...f, kdf: { ...(f.kdf as object), p: 1000 } }), 'backup-kdf-params'],
    ['r*N memory 512 MiB', (f) => JSON.stringify({ ...f, kdf: { ...(f.kdf as object), N: 2 ** 20, r: 4 } }), 'backup-kdf-params'],
    ['work too high', (f) => JSON.stringify({ ...f, kdf: { ...(f.kdf as object), N: 2 ** 18, r: 8, p: 4 } }), 'backup-kdf-params'],
    ['r as string', (f) => JSON.stringify({ ...f, kdf: { ...(f.kdf as object), r: '8' } }), 'backup-kdf-params'],
    ['short salt', (f) => JSON.stringify({ ...f, kdf: { ...(f.kdf as object), salt: 'AAAA' } }), 'backup-kdf-params'],
    ['bad nonce', (f) => JSON.stringify({ ...f, nonce: 'AAAA' }), 'backup-malformed'],
    ['truncated ciphertext', (f) => JSON.stringify({ ...f, ciphertext: (f.ciphertext as string).slice(0, 12) }), 'backup-malformed'],
    ['ciphertext cut by a multiple of 4', (f) => JSON.stringify({ ...f, ciphertext: (f.ciphertext as string).slice(0, -8) }), 'backup-wrong-passphrase'],
    ['huge ciphertext', (f) => JSON.stringify({ ...f, ciphertext: 'A'.repeat(33 * 1024 * 1024) }), 'backup-too-large'],
    ['header edited (kdf p raised within bounds)', (f) => JSON.stringify({ ...f, kdf: { ...(f.kdf as object), p: 2 } }), 'backup-wrong-passphrase'],
  ];

  it.each(envelopeCases)('%s', async (_name, mutate, code) => {
    const r = await decryptBackup(mutate(await valid()), 'pw');
    expect(errorCode(r)).toBe(code);
  });

  it('wrong passphrase', async () => {
    expect(errorCode(await decryptBackup(JSON.stringify(await valid()), 'PW'))).toBe('backup-wrong-passphrase');
  });

  const payloadCases: Array<[string, unknown]> = [
    ['payload not an object', 'hello'],
    ['identity missing', { contacts: [], settings: DEFAULT_SETTINGS, exportedAt: T0 }],
    ['contacts not an array', { ...payload, contacts: {} }],
    ['contact with wrong types', { ...payload, contacts: [{ site: 1, handle: 'x' }] }],
    [
      'duplicate contacts',
      {
        ...payload,
        contacts: [0, 1].map(() => ({ site: 's', handle: 'h', key: bytesToBase64(key(1)), fingerprint: fingerprintOf(key(1)), firstSeen: 1, keySince: 1, verified: false, keyChanged: false, history: [] })),
      },
    ],
    ['settings out of range', { ...payload, settings: { ...DEFAULT_SETTINGS, cacheMaxBytes: 1e15 } }],
    ['exportedAt negative', { ...payload, exportedAt: -1 }],
  ];

  it.each(payloadCases)('authenticated but invalid payload: %s', async (_name, p) => {
    expect(errorCode(await decryptBackup(JSON.stringify(await valid(p)), 'pw'))).toBe('backup-malformed');
  });

  it('import of a hostile file through the keyring changes nothing', async () => {
    const env = memoryEnv();
    const kr = await freshKeyring(env);
    expectOk(await kr.setIdentity({ mine: true }));
    const before = env.local.snapshot();
    const f = await valid();
    expect(errorCode(await kr.previewBackup(JSON.stringify({ ...f, kdf: { ...(f.kdf as object), N: 2 ** 30 } }), 'pw'))).toBe('backup-kdf-params');
    expect(errorCode(await kr.previewBackup('{"format":"veil-backup","version":1', 'pw'))).toBe('backup-malformed');
    expect(env.local.snapshot()).toBe(before);
  });
});

describe('KDF parameter bounds', () => {
  it('the default parameters are accepted by the import bounds (our own backups stay importable)', async () => {
    const { DEFAULT_SCRYPT, validateScryptParams } = await import('../../../lib/keyring/vault.ts');
    expect(validateScryptParams(DEFAULT_SCRYPT)).toEqual({ ok: true, value: DEFAULT_SCRYPT });
    expect(validateScryptParams({ ...DEFAULT_SCRYPT, N: DEFAULT_SCRYPT.N * 2 }).ok).toBe(true); // can be raised
  });
});
