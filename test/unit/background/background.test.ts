import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createBackground } from '../../../entrypoints/background/background';
import { AUTO_LOCK_ALARM } from '../../../entrypoints/background/keyring-service';
import type { BackgroundPlatform } from '../../../entrypoints/background/platform';
import { messages, type RawSender } from '../../../lib/messaging';
import { Clock, FAST_KDF } from '../keyring/helpers';
import { content, ctx, fakeMessages, fakeSites, fakeTabs, local, popup, session, settle } from './harness';

const PAGE_STATE = { conversationId: 'room-1', selfHandle: 'alice', peerHandle: 'bob', profileFallback: false, maxChars: 2000, alphabet: 'ascii' as const };
const KEYS_BODY = { callRef: 'call0001', local: ['sha-256 ' + 'AB:'.repeat(31) + 'AB'], remote: ['sha-256 ' + 'CD:'.repeat(31) + 'CD'], localIce: 'a'.repeat(64), remoteIce: 'b'.repeat(64) };

function boot(clock: Clock) {
  const msgs = fakeMessages();
  const tabs = fakeTabs(null, 'alice');
  const platform: BackgroundPlatform = {
    extension: { id: ctx.extensionId, origin: ctx.extensionOrigin, version: '9.9.9' },
    local,
    session,
    restrictSession: async () => undefined,
    alarms: fakeBrowser.alarms,
    tabs: tabs.tabs,
    messages: msgs.messages,
    sites: fakeSites(),
  };
  const bg = createBackground(platform, { now: clock.now, kdfParams: FAST_KDF });
  const ask = (type: string, data: unknown, sender: RawSender) => {
    const handler = msgs.registered.get(type);
    if (!handler) throw new Error(`no handler for ${type}`);
    return handler({ data, sender }) as Promise<{ ok: boolean; value?: unknown; error?: { code: string } }>;
  };
  return { bg, ask, tabs, registered: msgs.registered };
}

const refreshes = (tabs: ReturnType<typeof fakeTabs>) => tabs.sent.filter((s) => s.type === 'tab:refresh').map((s) => s.tabId);

describe('the composition root', () => {
  let clock: Clock;
  beforeEach(() => {
    fakeBrowser.reset();
    clock = new Clock();
  });

  it('registers one guarded handler for every message the background answers, and nothing else', async () => {
    const { registered, ask } = boot(clock);
    const expected = Object.entries(messages)
      .filter(([, m]) => m.from !== 'background')
      .map(([type]) => type)
      .sort();
    expect([...registered.keys()].sort()).toEqual(expected);
    expect(await ask('page:status', undefined, popup)).toMatchObject({ ok: true, value: { version: '9.9.9', enabledOrigins: ['https://chat.example/*'] } });
    expect(await ask('page:status', undefined, content(5))).toMatchObject({ ok: false, error: { code: 'forbidden-sender' } });
  });

  it('keeps one keyring and one conversation store', async () => {
    const { bg } = boot(clock);
    expect(await bg.keyring()).toBe(await bg.keyring());
    expect(await bg.conversations()).toBe(await bg.conversations());
  });

  it('the call service finds the page the text service registered (one page registry)', async () => {
    const { ask } = boot(clock);
    await ask('keyring:create', { passphrase: null }, popup);
    expect(await ask('content:call-keys', KEYS_BODY, content(5))).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await ask('content:page-state', PAGE_STATE, content(5))).toEqual({ ok: true, value: null });
    // Known page now; no session with bob yet.
    expect(await ask('content:call-keys', KEYS_BODY, content(5))).toMatchObject({ ok: false, error: { code: 'no-session' } });
  });

  it('every lock and unlock, whatever its cause, makes every known tab rescan', async () => {
    const { ask, tabs } = boot(clock);
    await ask('keyring:create', { passphrase: 'pw' }, popup);
    await ask('content:page-state', PAGE_STATE, content(5));
    await settle();
    tabs.sent.length = 0;

    await ask('keyring:lock', undefined, popup);
    await settle();
    expect(refreshes(tabs)).toEqual([5]);
    await ask('keyring:unlock', { passphrase: 'pw' }, popup);
    await settle();
    expect(refreshes(tabs)).toEqual([5, 5]);

    // Auto-lock through the alarm.
    await ask('keyring:set-settings', { autoLockMinutes: 1 }, popup);
    clock.advance(2 * 60_000);
    await fakeBrowser.alarms.onAlarm.trigger({ name: AUTO_LOCK_ALARM, scheduledTime: clock.now() });
    await settle();
    expect(refreshes(tabs)).toEqual([5, 5, 5]);
    expect(await ask('keyring:state', undefined, popup)).toMatchObject({ ok: true, value: { state: 'locked' } });

    // Auto-lock found due by an ordinary call (the alarm did not fire).
    await ask('keyring:unlock', { passphrase: 'pw' }, popup);
    clock.advance(2 * 60_000);
    await ask('contacts:list', undefined, popup);
    await settle();
    expect(refreshes(tabs)).toEqual([5, 5, 5, 5, 5]);
  });

  it('a restarted background knows the tabs the last one knew', async () => {
    const first = boot(clock);
    await first.ask('keyring:create', { passphrase: 'pw' }, popup);
    await first.ask('content:page-state', PAGE_STATE, content(5));
    const second = boot(clock);
    await second.ask('keyring:lock', undefined, popup);
    await settle();
    expect(refreshes(second.tabs)).toEqual([5]);
  });
});
