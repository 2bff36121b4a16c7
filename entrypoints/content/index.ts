/**
 * Veil's content script on an enabled site: hello → page state → finder → displays, the compose
 * button, and the background's tab:post / tab:refresh. It never holds plaintext or keys, and acts
 * on nothing the page sends except validated frame heights (frames.ts).
 */
import { defineContentScript } from 'wxt/utils/define-content-script';
import { browser } from 'wxt/browser';
import { fail, guardFromBackground, messenger, ok } from '../../lib/messaging';
import { ask, sleep } from './bg';
import { Compose } from './compose';
import { Finder } from './finder';
import { postTexts } from './post';
import { FocusGuard } from './focus-guard';
import { resolveAdapter, type PageAdapter } from './site';

/** How long a profile's editor and message list may take to appear before generic mode. */
const PROFILE_WAIT_MS = 4000;
const TICK_MS = 1000;
const HELLO_RETRY_MAX_MS = 30_000;

function marker(state: string): void {
  // Diagnostics for tests: no plaintext or keys, just whether Veil is connected.
  document.documentElement.setAttribute('data-veil-content', state);
}

async function hello(): Promise<'connected' | 'not-enabled' | 'no-answer'> {
  const reply = await ask(() =>
    messenger.sendMessage('content:hello', {
      href: location.href.slice(0, 4096),
      hookSeen: document.documentElement.hasAttribute('data-veil-hook'),
    }),
  );
  if (reply === null) return 'no-answer';
  if (!reply.ok) return reply.error.code === 'site-not-enabled' ? 'not-enabled' : 'no-answer';
  return 'connected';
}

interface PageState {
  conversationId: string;
  selfHandle: string | null;
  peerHandle: string | null;
  profileFallback: boolean;
  maxChars: number;
  alphabet: 'ascii' | 'dense';
}

function readPageState(adapter: PageAdapter, lastPeer: string | null): PageState {
  const selfHandle = adapter.selfHandle();
  return {
    conversationId: adapter.conversationId(),
    selfHandle,
    peerHandle: adapter.peerHandle() ?? lastPeer,
    profileFallback: adapter.fallback,
    maxChars: Math.min(100_000, Math.max(64, adapter.maxChars)),
    alphabet: adapter.alphabet,
  };
}

/** The most recent message author who is not us: the peer on sites that show no peer name. */
function lastPeerAuthor(adapter: PageAdapter, self: string | null): string | null {
  const root = adapter.listRoot();
  const sel = adapter.profile?.message;
  if (!root || !sel || adapter.fallback) return null;
  const all = root.querySelectorAll(sel);
  for (let i = all.length - 1; i >= 0 && i >= all.length - 50; i--) {
    const a = adapter.authorOf(all[i] as Element);
    if (a !== 'peer' && a !== self) return a;
  }
  return null;
}

export default defineContentScript({
  matches: ['https://veil.invalid/*'],
  registration: 'runtime',
  async main() {
    // tab:post is registered first, so the background can post as soon as this script runs.
    let adapterReady: Promise<PageAdapter> | null = null;
    let posting: Promise<unknown> = Promise.resolve();
    const focus: { guard?: FocusGuard } = {};
    messenger.onMessage(
      'tab:post',
      guardFromBackground('tab:post', browser.runtime.id, (req) => {
        // One post at a time: texts of two requests must never interleave in the editor.
        const run = posting.then(async () => ok(await postTexts(await (adapterReady ?? resolveAdapter(PROFILE_WAIT_MS)), req, focus.guard)));
        posting = run.catch(() => undefined);
        return run.catch(() => fail('internal', 'posting failed'));
      }),
    );

    let state = await hello();
    for (let wait = 2000; state === 'no-answer'; wait = Math.min(HELLO_RETRY_MAX_MS, wait * 2)) {
      marker('waiting');
      await sleep(wait);
      state = await hello();
    }
    if (state === 'not-enabled') {
      marker('site-not-enabled');
      messenger.removeAllListeners();
      return;
    }
    marker('connected');

    adapterReady = resolveAdapter(PROFILE_WAIT_MS);
    const adapter = await adapterReady;
    document.documentElement.setAttribute('data-veil-profile', `${adapter.profile?.id ?? 'generic'}${adapter.fallback ? ':fallback' : ''}`);

    let sentState = '';
    let peerSeen: string | null = null;
    let failedState = '';
    let lastConversation = adapter.conversationId();
    let retryAt = 0;
    let retryDelay = 1000;
    const conversationId = (): string => adapter.conversationId();
    const finder = new Finder(adapter, conversationId);
    const compose = new Compose(adapter, conversationId);
    focus.guard = new FocusGuard({
      keeper: compose,
      isSiteEditor: (target) => {
        const editor = adapter.editor();
        return editor !== null && target instanceof Node && editor.contains(target);
      },
    });

    const syncPageState = async (force: boolean): Promise<void> => {
      peerSeen = lastPeerAuthor(adapter, adapter.selfHandle()) ?? peerSeen;
      const ps = readPageState(adapter, peerSeen);
      const json = JSON.stringify(ps);
      if (ps.conversationId !== lastConversation) {
        lastConversation = ps.conversationId;
        if (compose.isOpen()) compose.close();
        finder.rescanAll();
      }
      if (!force && json === sentState) return;
      if (!force && json !== sentState && Date.now() < retryAt && failedState === json) return;
      sentState = json;
      const reply = await ask(() => messenger.sendMessage('content:page-state', ps));
      // Not answered: send again later, backing off while the background does not handle it.
      if (reply === null || !reply.ok) {
        sentState = '';
        failedState = json;
        retryDelay = Math.min(30_000, retryDelay * 2);
        retryAt = Date.now() + retryDelay;
      } else retryDelay = 1000;
    };

    messenger.onMessage(
      'tab:refresh',
      guardFromBackground('tab:refresh', browser.runtime.id, () => {
        void syncPageState(true).catch(() => undefined);
        finder.rescanAll();
        return ok(null);
      }),
    );

    await syncPageState(true);
    finder.start();
    compose.start();
    setInterval(() => {
      finder.tick();
      compose.place();
      void syncPageState(false).catch(() => undefined); // sent again on the next tick
    }, TICK_MS);
  },
});
