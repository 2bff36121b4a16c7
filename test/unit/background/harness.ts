/**
 * The background's services on WXT's fake browser: storage and alarms are the fake browser's;
 * what it does not implement (permissions, messages to tabs) is a stand-in that records what it
 * was asked. The tab's content script is simulated: tab:post puts the texts into a chat-sim chat
 * as the page's user, the way the real content script posts through the site's editor.
 */
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { BackgroundPlatform } from '../../../entrypoints/background/platform';
import { ConversationStore } from '../../../lib/chat/store';
import { Keyring, type KeyValueStore } from '../../../lib/keyring';
import { ok, type ContentMessage, type MessageRegistrar, type RawSender } from '../../../lib/messaging';
import { generateIdentity, serializeIdentity } from '../../../lib/protocol';
import type { Chat } from '../chat/chat-sim';
import { FAST_KDF } from '../keyring/helpers';

export const SITE = 'https://chat.example';
export const ctx = { extensionId: 'veil-id', extensionOrigin: 'chrome-extension://veil-id' };
export const content = (tabId: number, frameId = 0): RawSender => ({ id: 'veil-id', url: `${SITE}/chat/room-1`, tab: { id: tabId }, frameId });
export const frame = (tabId: number): RawSender => ({ id: 'veil-id', url: 'chrome-extension://veil-id/frame.html#c=x', tab: { id: tabId }, frameId: 2 });
export const popup: RawSender = { id: 'veil-id', url: 'chrome-extension://veil-id/popup.html' };

export const local = fakeBrowser.storage.local as unknown as KeyValueStore;
export const session = fakeBrowser.storage.session as unknown as KeyValueStore;

export interface SentToTab {
  tabId: number;
  type: ContentMessage;
  data: unknown;
}

/** Tabs whose content script posts into `chat` as `handle`; every message sent to a tab is recorded. */
export function fakeTabs(chat: Chat | null, handle: string) {
  const sent: SentToTab[] = [];
  const closed = new Set<number>();
  const removed: Array<(tabId: number) => void> = [];
  const tabs: BackgroundPlatform['tabs'] = {
    send: (tabId, type, data) => {
      sent.push({ tabId, type, data });
      if (closed.has(tabId)) return Promise.reject(new Error('Could not establish connection. Receiving end does not exist.'));
      if (type === 'tab:post') {
        const texts = (data as { texts: string[] }).texts;
        for (const t of texts) chat?.send(handle, t);
        return Promise.resolve(ok({ posted: texts.length, error: null })) as never;
      }
      return Promise.resolve(ok(null)) as never;
    },
    onRemoved: { addListener: (l) => void removed.push(l) },
  };
  return { tabs, sent, closed, closeTab: (tabId: number) => removed.forEach((l) => l(tabId)) };
}

/** Every origin enabled unless listed in `disabled`. */
export function fakeSites(disabled: string[] = []) {
  return { enabledOrigins: async () => [`${SITE}/*`], isOriginEnabled: async (origin: string) => !disabled.includes(origin) };
}

/** A messenger that only records registrations (the composition root's one loop). */
export function fakeMessages() {
  const registered = new Map<string, (m: { data: unknown; sender: RawSender }) => unknown>();
  const messages: MessageRegistrar = {
    onMessage: ((type: string, listener: (m: { data: unknown; sender: RawSender }) => unknown) => {
      if (registered.has(type)) throw new Error(`${type} registered twice`);
      registered.set(type, listener);
    }) as MessageRegistrar['onMessage'],
  };
  return { messages, registered };
}

/** A keyring over the fake browser's storage, with an identity, and its conversation store. */
export async function keyringWithIdentity(onStateChange?: (s: 'locked' | 'unlocked') => void) {
  const r = await Keyring.open({ local, session, kdfParams: FAST_KDF, ...(onStateChange ? { onStateChange } : {}) });
  if (!r.ok) throw new Error(r.error.code);
  const kr = r.value;
  if (kr.state === 'uninitialized') {
    const init = await kr.initialize(null);
    if (!init.ok) throw new Error(init.error.code);
    const id = await kr.setIdentity(serializeIdentity(generateIdentity()));
    if (!id.ok) throw new Error(id.error.code);
  }
  return { kr, keyring: async () => kr, conversations: async () => new ConversationStore(kr) };
}

/** Lets timers queued with setTimeout(0) (deferred posts) and their promises run. */
export const settle = async (rounds = 3): Promise<void> => {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setTimeout(r, 0));
};
