import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { Keyring, shouldAutoLock, type KeyValueStore } from '../../../lib/keyring/index.ts';
import { Clock, digestOf, type Env, errorCode, expectOk, FAST_KDF, freshKeyring, key, memoryEnv, openKeyring, USER } from './helpers.ts';

const backends: Array<[string, () => Env]> = [
  ['memory store', memoryEnv],
  [
    'WXT fake browser storage',
    () => ({
      local: fakeBrowser.storage.local as unknown as KeyValueStore,
      session: fakeBrowser.storage.session as unknown as KeyValueStore,
      clock: new Clock(),
    }),
  ],
];

describe.each(backends)('keyring lifecycle (%s)', (_name, makeEnv) => {
  let env: Env;
  beforeEach(() => {
    fakeBrowser.reset();
    env = makeEnv();
  });

  it('starts uninitialized, initializes unlocked, refuses a second initialize', async () => {
    const kr = await openKeyring(env);
    expect(kr.state).toBe('uninitialized');
    expect(errorCode(await kr.getSettings())).toBe('locked');
    expectOk(await kr.initialize('pw'));
    expect(kr.state).toBe('unlocked');
    expect(kr.hasPassphrase).toBe(true);
    expect(errorCode(await kr.initialize('pw'))).toBe('already-initialized');
  });

  it('locked: every data call returns locked; unlock restores access', async () => {
    const kr = await freshKeyring(env);
    expectOk(await kr.setIdentity({ secret: 'id' }));
    expectOk(await kr.lock());
    expect(kr.state).toBe('locked');
    const calls = [
      kr.getIdentity(),
      kr.getSettings(),
      kr.setIdentity({ x: 1 }, { replace: true }),
      kr.observePeerKey('s', 'h', key(1)),
      kr.canSend('s', 'h'),
      kr.getSession({ site: 's', conversation: 'c', peer: 'p' }),
      kr.putSession({ site: 's', conversation: 'c', peer: 'p' }, { a: 1 }),
      kr.cachePut({ digest: digestOf('x'), kind: 'text', site: 's', conversation: 'c', direction: 'sent', sender: 'me', badge: 'ok', plaintext: 'hi' }),
      kr.cacheGet({ digest: digestOf('x') }),
      kr.exportBackup('pw', USER),
      kr.listContacts(),
    ];
    for (const r of await Promise.all(calls)) expect(errorCode(r)).toBe('locked');
    expectOk(await kr.unlock('correct horse'));
    expect(expectOk(await kr.getIdentity())).toEqual({ secret: 'id' });
  });

  it('wrong passphrase: typed error, stays locked, storage unchanged', async () => {
    const kr = await freshKeyring(env);
    expectOk(await kr.lock());
    const before = JSON.stringify(await env.local.get(['veil.root', 'veil.rec.settings']));
    expect(errorCode(await kr.unlock('wrong'))).toBe('wrong-passphrase');
    expect(errorCode(await kr.unlock(null))).toBe('wrong-passphrase');
    expect(kr.state).toBe('locked');
    expect(JSON.stringify(await env.local.get(['veil.root', 'veil.rec.settings']))).toBe(before);
    expectOk(await kr.unlock('correct horse'));
  });

  it('restart with the same local + session stores stays unlocked; without session store it is locked', async () => {
    const kr = await freshKeyring(env);
    expectOk(await kr.putSession({ site: 's', conversation: 'c', peer: 'p' }, { chain: [1, 2] }));
    const restarted = await openKeyring(env);
    expect(restarted.state).toBe('unlocked');
    expect(expectOk(await restarted.getSession({ site: 's', conversation: 'c', peer: 'p' }))).toEqual({ chain: [1, 2] });
    const browserRestart = await openKeyring({ ...env, session: memoryEnv().session });
    expect(browserRestart.state).toBe('locked');
  });

  it('auto-lock after the idle time, also across a restart', async () => {
    const kr = await freshKeyring(env);
    const minutes = expectOk(await kr.getSettings()).autoLockMinutes;
    env.clock.advance(minutes * 60_000 - 1);
    expect(await kr.checkAutoLock()).toBe(false);
    expectOk(await kr.getSettings()); // activity resets the idle timer
    env.clock.advance(minutes * 60_000 - 1);
    expect(await kr.checkAutoLock()).toBe(false);
    env.clock.advance(1);
    expect(await kr.checkAutoLock()).toBe(true);
    expect(kr.state).toBe('locked');
    expect(await env.session.get(['veil.session.dataKey'])).toEqual({});

    expectOk(await kr.unlock('correct horse'));
    env.clock.advance(minutes * 60_000);
    // No alarm fired, but the next call notices and locks instead of serving.
    expect(errorCode(await kr.getSettings())).toBe('locked');

    expectOk(await kr.unlock('correct horse'));
    env.clock.advance(minutes * 60_000 + 5);
    const restarted = await openKeyring(env);
    expect(restarted.state).toBe('locked');
  });

  it('change, remove and set passphrase; current passphrase required; user origin required', async () => {
    const kr = await freshKeyring(env, 'one');
    expectOk(await kr.setIdentity('me'));
    expect(errorCode(await kr.changePassphrase('bad', 'two', USER))).toBe('wrong-passphrase');
    expect(errorCode(await kr.changePassphrase('one', 'two', {} as typeof USER))).toBe('not-user-origin');
    expectOk(await kr.changePassphrase('one', 'two', USER));
    expectOk(await kr.lock());
    expect(errorCode(await kr.unlock('one'))).toBe('wrong-passphrase');
    expectOk(await kr.unlock('two'));
    expectOk(await kr.changePassphrase('two', null, USER));
    expect(kr.hasPassphrase).toBe(false);
    // Without a passphrase a fresh instance unlocks by itself, even with an empty session store.
    const reopened = await openKeyring({ ...env, session: memoryEnv().session });
    expect(reopened.state).toBe('unlocked');
    expect(expectOk(await reopened.getIdentity())).toBe('me');
    expectOk(await reopened.changePassphrase(null, 'three', USER));
    expectOk(await reopened.lock());
    expectOk(await reopened.unlock('three'));
    expect(expectOk(await reopened.getIdentity())).toBe('me');
  });

  it('identity is never overwritten without replace; sessions persist and delete', async () => {
    const kr = await freshKeyring(env);
    expect(expectOk(await kr.getIdentity())).toBeNull();
    expectOk(await kr.setIdentity({ k: 'a' }));
    expect(errorCode(await kr.setIdentity({ k: 'b' }))).toBe('identity-exists');
    expect(expectOk(await kr.getIdentity())).toEqual({ k: 'a' });
    expectOk(await kr.setIdentity({ k: 'b' }, { replace: true }));
    expect(expectOk(await kr.getIdentity())).toEqual({ k: 'b' });
    expect(errorCode(await kr.setIdentity({ f: () => 1 } as unknown))).toBe('invalid-argument');

    const ref = { site: 'chat.example', conversation: 'room-1', peer: 'bob' };
    expect(expectOk(await kr.getSession(ref))).toBeNull();
    expectOk(await kr.putSession(ref, { n: 1 }));
    expectOk(await kr.putSession(ref, { n: 2 }));
    expect(expectOk(await kr.listSessions())).toEqual([ref]);
    const again = await openKeyring(env);
    expect(expectOk(await again.getSession(ref))).toEqual({ n: 2 });
    expectOk(await again.deleteSession(ref));
    expect(expectOk(await again.getSession(ref))).toBeNull();
    expect(expectOk(await again.listSessions())).toEqual([]);
  });

  it('settings: validated, user-only, persisted', async () => {
    const kr = await freshKeyring(env);
    expect(errorCode(await kr.updateSettings({ autoLockMinutes: -1 }, USER))).toBe('invalid-argument');
    expect(errorCode(await kr.updateSettings({ strictCalls: 'yes' as unknown as boolean }, USER))).toBe('invalid-argument');
    expect(errorCode(await kr.updateSettings({ autoLockMinutes: 5 }, {} as typeof USER))).toBe('not-user-origin');
    expectOk(await kr.updateSettings({ autoLockMinutes: 5, strictCalls: false }, USER));
    const again = await openKeyring(env);
    expect(expectOk(await again.getSettings())).toMatchObject({ autoLockMinutes: 5, strictCalls: false });
  });
});

describe('shouldAutoLock', () => {
  it('locks exactly at the idle limit, never when disabled, and when the clock went backwards', () => {
    expect(shouldAutoLock(1000, 1000 + 5 * 60_000 - 1, 5)).toBe(false);
    expect(shouldAutoLock(1000, 1000 + 5 * 60_000, 5)).toBe(true);
    expect(shouldAutoLock(1000, 1e12, 0)).toBe(false);
    expect(shouldAutoLock(1000, 999, 5)).toBe(true);
  });
});

describe('storage of secrets', () => {
  it('nothing secret appears in clear in local storage', async () => {
    const env = memoryEnv();
    const kr = await freshKeyring(env);
    expectOk(await kr.setIdentity({ privateKey: 'SECRET-IDENTITY-MATERIAL' }));
    expectOk(await kr.observePeerKey('secret-site.example', 'secret-handle', key(7)));
    expectOk(await kr.cachePut({ digest: digestOf('ct'), kind: 'text', site: 'secret-site.example', conversation: 'c', direction: 'sent', sender: 'me', badge: 'ok', plaintext: 'SECRET-PLAINTEXT' }));
    const raw = env.local.snapshot();
    for (const needle of ['SECRET-IDENTITY-MATERIAL', 'secret-site', 'secret-handle', 'SECRET-PLAINTEXT']) expect(raw).not.toContain(needle);
    // The passphrase-protected vault does not store the data key in clear.
    const sessionKey = (await env.session.get(['veil.session.dataKey']))['veil.session.dataKey'];
    expect(typeof sessionKey).toBe('string');
    expect(raw).not.toContain(sessionKey as string);
  });

  it('Keyring.open with a throwing store returns storage-failed instead of throwing', async () => {
    const broken: KeyValueStore = {
      get: () => Promise.reject(new Error('disk gone')),
      set: () => Promise.reject(new Error('disk gone')),
      remove: () => Promise.reject(new Error('disk gone')),
    };
    const r = await Keyring.open({ local: broken, session: broken, kdfParams: FAST_KDF });
    expect(errorCode(r)).toBe('storage-failed');
  });
});
