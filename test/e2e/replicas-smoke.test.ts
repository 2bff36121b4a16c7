/**
 * Every replica of a real chat site, served at the site's real origin through the test proxy
 * (harness/origin-router.ts), in two Veil browsers: the page is at the real origin, Veil's
 * content script connects there and picks the profile it picks today, and two people chat
 * through the replica's own editor (no Veil compose: plain text on the relay).
 * One browser pair per browser kind, one tab each, reused for every replica.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChatSite, type ChatSite } from '../chat-site/server';
import { REPLICAS, type ReplicaSite } from '../chat-site/replicas';
import { browsersUnderTest, launchVeil, startOriginRouter, waitUntil, type DrivenPage, type OriginRouter, type VeilBrowser } from './harness';

interface Case {
  /** data-veil-profile as Veil picks it today (lib/sites/profiles.ts): a profile id or "generic". */
  profile: string;
  /** The replica's composer, where a person clicks to type. */
  editor: string;
  /** How the two people get into one conversation. */
  meet: 'direct-chat' | 'same-url' | 'strangers';
}

const CASES: Record<string, Case> = {
  whatsapp: { profile: 'whatsapp', editor: '#main footer [contenteditable="true"]', meet: 'direct-chat' },
  messenger: { profile: 'messenger', editor: '[role=main] [data-lexical-editor]', meet: 'direct-chat' },
  telegram: { profile: 'telegram', editor: '.chat.active .input-message-input', meet: 'direct-chat' },
  discord: { profile: 'discord', editor: '[data-slate-editor]', meet: 'same-url' },
  slack: { profile: 'slack', editor: '[data-qa=message_pane] .ql-editor', meet: 'same-url' },
  'google-chat': { profile: 'google-chat', editor: '[role=main] [contenteditable="true"]', meet: 'direct-chat' },
  ometv: { profile: 'ometv', editor: 'textarea.chat__textarea', meet: 'strangers' },
  // No profile covers these real origins yet (Chatruletka clones, Coomeet's free site): generic.
  'chatruletka-clone': { profile: 'generic', editor: 'textarea.chat__textarea', meet: 'strangers' },
  'coomeet-free': { profile: 'generic', editor: 'textarea.chat__textarea', meet: 'strangers' },
  generic: { profile: 'generic', editor: 'textarea', meet: 'same-url' },
};

interface Person {
  veil: VeilBrowser;
  page: DrivenPage;
  name: string;
}

/** Signs in on the replica (a cookie, like a real site's session) and lands on its chat view. */
async function open(p: Person, r: ReplicaSite): Promise<void> {
  await p.page.goto(`https://${r.host}/__replica/login?user=${p.name}&next=${encodeURIComponent(r.start)}`);
  await waitUntil(p.page, () => window.__replica?.you ?? null, { what: `${p.name} signed in on ${r.id}` });
}

async function meet(a: Person, b: Person, c: Case): Promise<void> {
  if (c.meet === 'direct-chat') {
    // Opened at once, before Veil decides on its profile (it looks once, up to 4 s after load).
    await a.page.evaluate((peer) => window.__replica?.openChat(`dm:${peer}`), b.name);
    await b.page.evaluate((peer) => window.__replica?.openChat(`dm:${peer}`), a.name);
  }
  if (c.meet === 'strangers') {
    const start = '.buttons__button.start-button, #cmtNext';
    await a.page.click(start);
    await b.page.click(start);
    for (const p of [a, b]) {
      await waitUntil(p.page, () => ['s-found', 's-play'].includes(String(window.__replica?.stage)), { what: `${p.name} paired with a stranger`, timeoutMs: 20_000 });
    }
  }
  for (const p of [a, b]) await waitUntil(p.page, () => window.__replica?.ready === true, { what: `${p.name}'s chat connected` });
}

async function veilState(p: Person): Promise<{ origin: string; content: string | null; profile: string | null }> {
  await waitUntil(p.page, () => document.documentElement.getAttribute('data-veil-profile'), { what: `${p.name}: Veil picked a profile`, timeoutMs: 30_000 });
  return p.page.evaluate(() => ({
    origin: location.origin,
    content: document.documentElement.getAttribute('data-veil-content'),
    profile: document.documentElement.getAttribute('data-veil-profile'),
  }));
}

/** Types into the replica's own editor with real keys and presses Enter, as a person does. */
async function say(p: Person, editor: string, text: string): Promise<void> {
  await p.page.click(editor);
  await p.page.typeKeys(text);
  await p.page.press('Enter');
}

async function shows(p: Person, text: string, mark: 'in' | 'out'): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const dom = await p.page.evaluate(() => window.__replica?.dom() ?? []);
    if (dom.some((d) => d.text === text && d.mark === mark)) return;
    if (Date.now() > deadline) throw new Error(`${p.name} does not show "${text}" as ${mark}; the page shows ${JSON.stringify(dom)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.each(browsersUnderTest())('replicas at their real origins in %s', (kind) => {
  let site: ChatSite;
  let router: OriginRouter;
  let alice: Person;
  let bob: Person;

  beforeAll(async () => {
    site = await startChatSite();
    router = await startOriginRouter({ hosts: REPLICAS.map((r) => r.host), targetPort: site.port });
    const [a, b] = await Promise.all([launchVeil(kind, 'alice', { route: router }), launchVeil(kind, 'bob', { route: router })]);
    alice = { veil: a, page: await a.newPage(), name: 'alice' };
    bob = { veil: b, page: await b.newPage(), name: 'bob' };
  });
  afterAll(async () => {
    await alice?.veil.close();
    await bob?.veil.close();
    await router?.close();
    await site?.close();
  });

  it.each(REPLICAS.map((r) => [r.id, r] as const))('%s', async (_id, r) => {
    const c = CASES[r.id];
    if (!c) throw new Error(`no smoke case for replica ${r.id}`);
    await Promise.all([open(alice, r), open(bob, r)]);
    await meet(alice, bob, c);

    for (const p of [alice, bob]) {
      const state = await veilState(p);
      expect(state, `${p.name} on ${r.id}`).toEqual({ origin: `https://${r.host}`, content: 'connected', profile: c.profile });
    }

    const stamp = Date.now().toString(36);
    const hello = `hello bob ${stamp}`;
    const back = `hi alice ${stamp}`;
    await say(alice, c.editor, hello);
    await shows(bob, hello, 'in');
    await shows(alice, hello, 'out');
    await say(bob, c.editor, back);
    await shows(alice, back, 'in');
    await shows(bob, back, 'out');

    // The platform relayed both in the clear: no Veil compose was used.
    const relayed = site.log.flatMap((e) => (e.kind === 'chat' ? [e.text] : []));
    expect(relayed).toEqual(expect.arrayContaining([hello, back]));
    expect(router.refused.filter((h) => REPLICAS.some((x) => h.startsWith(x.host)))).toEqual([]);
  });
});
