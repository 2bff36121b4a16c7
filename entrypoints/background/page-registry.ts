/**
 * What each tab's content script reported about its page (site, conversation, handles, limits),
 * mirrored to storage.session so a restarted background still knows its tabs. The only reader and
 * writer of that record: every service asks the registry.
 */
import type { PageContext } from '../../lib/chat/types';
import type { KeyValueStore } from '../../lib/keyring';

const PAGES_KEY = 'veil.pages';

export interface PageRegistry {
  get(tabId: number): Promise<PageContext | null>;
  set(page: PageContext): Promise<void>;
  drop(tabId: number): Promise<void>;
  /** Every tab with a page context. */
  tabs(): Promise<number[]>;
}

function isPage(v: unknown): v is PageContext {
  const p = v as Partial<PageContext> | null;
  return typeof p === 'object' && p !== null && typeof p.tabId === 'number' && typeof p.site === 'string' && typeof p.conversationId === 'string';
}

export function createPageRegistry(area: KeyValueStore): PageRegistry {
  let cache: Map<number, PageContext> | null = null;

  async function all(): Promise<Map<number, PageContext>> {
    if (!cache) {
      const raw = (await area.get([PAGES_KEY]))[PAGES_KEY];
      const entries = Array.isArray(raw) ? (raw as unknown[]).filter((e): e is [number, PageContext] => Array.isArray(e) && typeof e[0] === 'number' && isPage(e[1])) : [];
      cache ??= new Map(entries);
    }
    return cache;
  }

  const save = (pages: Map<number, PageContext>) => area.set({ [PAGES_KEY]: [...pages.entries()] });

  return {
    async get(tabId) {
      return (await all()).get(tabId) ?? null;
    },
    async set(page) {
      const pages = await all();
      pages.set(page.tabId, page);
      await save(pages);
    },
    async drop(tabId) {
      const pages = await all();
      if (pages.delete(tabId)) await save(pages);
    },
    async tabs() {
      return [...(await all()).keys()];
    },
  };
}
