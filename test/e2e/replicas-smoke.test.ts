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

/** Elements or attributes outside message bodies that show `name` (own name "anywhere"). */
function nameShownOutside(page: DrivenPage, name: string, bodies: string): Promise<string[]> {
  return page.evaluate(
    ([n, b]) => {
      const out: string[] = [];
      for (const el of document.body.querySelectorAll('*')) {
        if (el.closest(b)) continue;
        for (const a of el.attributes) if (a.value.includes(n)) out.push(`${el.tagName}[${a.name}]`);
        for (const t of el.childNodes) if (t.nodeType === Node.TEXT_NODE && (t.textContent ?? '').includes(n)) out.push(`${el.tagName} text`);
      }
      return out;
    },
    [name, bodies] as const,
  );
}

/**
 * The documented structure each replica must keep (what the next profile work relies on),
 * checked in the pages of the smoke conversation right after it. `hello` is alice's message.
 */
const STRUCTURE: Partial<Record<string, (a: Person, b: Person, hello: string) => Promise<void>>> = {
  async whatsapp(a) {
    expect(await nameShownOutside(a.page, 'alice', '.selectable-text')).toEqual([]);
    const own = await a.page.evaluate(() => document.querySelector('[data-id^="true_"] .message-out')?.textContent ?? null);
    expect(own).toContain('hello bob');
    const before = await a.page.evaluate(() => location.href);
    await a.page.evaluate(() => window.__replica?.openChat('g:friends'));
    await waitUntil(a.page, () => document.querySelector('#main header span[title]')?.getAttribute('title') === 'Friends', { what: 'the group open' });
    expect(await a.page.evaluate(() => location.href)).toBe(before);
  },
  async messenger(a) {
    const shape = await a.page.evaluate(() => {
      const grids = [...document.querySelectorAll('[role=grid]')];
      const article = document.querySelector('[role=main] [role=row] [role=article]');
      const bodies = [...(article?.querySelectorAll(':scope > div[dir=auto]') ?? [])] as HTMLElement[];
      return {
        path: location.pathname,
        firstGridInSidebar: grids[0]?.closest('[role=navigation]') !== null,
        secondGridInMain: grids[1]?.closest('[role=main]') !== null,
        bodies: bodies.map((e) => e.style.display === 'none'),
      };
    });
    expect(shape).toMatchObject({ path: expect.stringMatching(/^\/e2ee\/t\/\d+\/$/), firstGridInSidebar: true, secondGridInMain: true, bodies: [true, false] });
  },
  async telegram(a) {
    const shape = await a.page.evaluate(() => ({
      hash: location.hash,
      firstInner: document.querySelector('.bubbles-inner')?.className,
      bubbles: [...document.querySelectorAll('.chat.active .scrollable .bubble')].map((b) => [b.className.includes('is-out') ? 'out' : 'in', (b as HTMLElement).dataset.mid !== undefined, (b as HTMLElement).dataset.peerId !== undefined]),
    }));
    expect(shape).toEqual({ hash: expect.stringMatching(/^#\d+$/), firstInner: 'bubbles-remover bubbles-inner', bubbles: [['out', true, true], ['in', true, true]] });
  },
  async discord(a, b) {
    // Two in a row by alice (the second is a follow-on: no header, labelled by the first one's
    // username), then bob replies to the follow-on (the quoted body comes first).
    await a.page.evaluate(() => window.__replica?.send('one more'));
    await a.page.evaluate(() => window.__replica?.send('and another'));
    await waitUntil(b.page, () => window.__replica?.messages().some((m) => m.text === 'and another'), { what: 'the follow-on' });
    const followOn = await b.page.evaluate(() => window.__replica?.messages().find((m) => m.text === 'and another')?.id ?? 0);
    await b.page.evaluate((id) => (window.__replica?.reply as (id: number) => void)(id), followOn);
    await say(b, '[data-slate-editor]', 'a reply');
    await waitUntil(a.page, () => window.__replica?.messages().some((m) => m.text === 'a reply'), { what: 'the reply' });
    const [first, next, reply] = await a.page.evaluate(() =>
      [...document.querySelectorAll('li[id^="chat-messages-"]')].slice(-3).map((li) => ({
        id: li.id.split('-').pop() ?? '',
        header: li.querySelector('h3') !== null,
        labelledBy: li.firstElementChild?.getAttribute('aria-labelledby')?.split(' ')[0] ?? '',
        firstContent: li.querySelector('[id^="message-content-"]')?.id ?? '',
      })),
    );
    expect(first).toMatchObject({ header: true, labelledBy: `message-username-${first?.id}` });
    expect(next).toMatchObject({ header: false, labelledBy: `message-username-${first?.id}`, firstContent: `message-content-${next?.id}` });
    expect(reply).toMatchObject({ header: true, firstContent: `message-content-${next?.id}` });
  },
  async slack(a, b, hello) {
    const id = await a.page.evaluate((t) => window.__replica?.messages().find((m) => m.text === t)?.id ?? 0, hello);
    for (const p of [a, b]) expect(await p.page.evaluate((i) => (window.__replica?.openThread as (id: number) => boolean)(i), id)).toBe(true);
    await say(b, '[data-qa=threads_flexpane] .ql-editor', 'in the thread');
    await waitUntil(a.page, () => (window.__replica?.threadDom as () => { text: string }[])().some((d) => d.text === 'in the thread'), { what: 'the thread reply' });
    const shape = await a.page.evaluate(() => ({
      editors: [...document.querySelectorAll('.ql-editor')].map((e) => e.closest('[data-qa]')?.closest('[data-qa=threads_flexpane]') ? 'thread' : 'pane'),
      inMain: window.__replica?.dom().map((d) => d.text),
    }));
    expect(shape.editors).toEqual(['pane', 'thread']);
    expect(shape.inMain).not.toContain('in the thread');
  },
  async 'google-chat'(a) {
    expect(await a.page.evaluate(() => [...document.querySelectorAll('c-wiz[data-topic-id] [data-name]')].map((e) => e.getAttribute('data-name')))).toEqual(['You', 'bob']);
    await a.page.evaluate(() => window.__replica?.openChat('space:team'));
    await waitUntil(a.page, () => document.querySelector('c-wiz[data-group-id^="space/"]') !== null, { what: 'the space open' });
    expect(await a.page.evaluate(() => location.pathname)).toBe('/u/0/');
  },
  async ometv(a, b) {
    expect(await nameShownOutside(a.page, 'alice', '.message-bubble')).toEqual([]);
    // Carol (a third person: a tab in bob's browser, signed in as carol) waits; alice presses Next.
    const carol: Person = { veil: b.veil, page: await b.veil.newPage('https://ome.tv/__replica/login?user=carol&next=/'), name: 'carol' };
    try {
      await waitUntil(carol.page, () => window.__replica?.you === 'carol', { what: 'carol signed in' });
      await carol.page.click('.buttons__button.start-button');
      await waitUntil(carol.page, () => window.__replica?.stage === 's-search', { what: 'carol waiting' });
      await a.page.click('.buttons__button.start-button');
      await waitUntil(a.page, () => (window.__replica?.call as { partner: string | null }).partner === 'carol', { what: 'alice with carol' });
      await waitUntil(b.page, () => window.__replica?.stage === 's-search', { what: 'bob back to searching' });
      const left = await a.page.evaluate(() => window.__replica?.dom() ?? []);
      expect(left.filter((d) => d.mark !== 'system')).toEqual([]);
    } finally {
      await carol.page.close();
    }
  },
};

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

    await STRUCTURE[r.id]?.(alice, bob, hello);
  });
});
