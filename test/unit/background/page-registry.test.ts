import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createPageRegistry } from '../../../entrypoints/background/page-registry';
import type { PageContext } from '../../../lib/chat/types';
import { session } from './harness';

const page = (tabId: number): PageContext => ({
  tabId,
  site: 'https://chat.example',
  conversationId: 'room-1',
  selfHandle: 'alice',
  peerHandle: null,
  maxChars: 2000,
  alphabet: 'ascii',
  profileFallback: false,
});

describe('page registry', () => {
  beforeEach(() => fakeBrowser.reset());

  it('keeps each tab’s page across a restarted background, and forgets a dropped tab', async () => {
    const first = createPageRegistry(session);
    await first.set(page(3));
    await first.set(page(4));
    await first.drop(3);
    const restarted = createPageRegistry(session);
    expect(await restarted.tabs()).toEqual([4]);
    expect(await restarted.get(4)).toEqual(page(4));
    expect(await restarted.get(3)).toBeNull();
  });

  it('reads past entries that are not page contexts', async () => {
    await session.set({ 'veil.pages': [[5, page(5)], [6, { tabId: 6 }], ['7', page(7)], 'junk', [8, null]] });
    const pages = createPageRegistry(session);
    expect(await pages.tabs()).toEqual([5]);
    await session.set({ 'veil.pages': { not: 'a list' } });
    expect(await createPageRegistry(session).tabs()).toEqual([]);
  });
});
