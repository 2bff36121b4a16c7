/**
 * Text history benchmark (issue 5): a chat room holding 1,000 encrypted messages is opened in a
 * browser with Veil and, in the same run, in the same browser without Veil.
 *   - time until the messages on screen show plaintext (with Veil) / are rendered (without);
 *   - time until Veil has handled all 1,000 (each has its display, plaintext cached);
 *   - the tab's JS heap (performance.memory, precise) and Veil's frame count.
 * The 1,000 messages come from "Alice" running Veil's own engine in Node against a real session
 * with Bob's browser, established through the chat like any other.
 * VEIL_HISTORY_MESSAGES overrides the count.
 */
import { chromium } from 'playwright-core';
import type { Measure } from './targets';
import { TextEngine } from '../../lib/chat/engine';
import { ConversationStore } from '../../lib/chat/store';
import { TokenStore } from '../../lib/chat/tokens';
import type { PageContext } from '../../lib/chat/types';
import { Keyring, MemoryStore } from '../../lib/keyring';
import { generateIdentity, serializeIdentity } from '../../lib/protocol';
import { startChatSite, type ChatSite } from '../chat-site/server';
import { CHROMIUM_ARGS } from '../e2e/harness/chromium';
import { freshProfileDir } from '../e2e/harness/paths';
import { artifactsDir, launchVeil, type DrivenPage } from '../e2e/harness';
import { checkPageCode, guardedEvaluator } from '../e2e/harness/page-code';
import { join } from 'node:path';
import { acceptQuery, createIdentity, openChat, poll, veilFrames } from '../e2e/text-flow';

type Row = Record<string, string | number>;
const ROOM = 'history';
const COUNT = Number(process.env.VEIL_HISTORY_MESSAGES ?? 1000);

/** Alice in Node: Veil's engine over an in-memory keyring, talking through the chat server. */
async function nodeAlice(site: ChatSite) {
  const local = new MemoryStore();
  const session = new MemoryStore();
  const kr = await Keyring.open({ local, session, kdfParams: { N: 1024, r: 8, p: 1 } });
  if (!kr.ok) throw new Error('keyring');
  await kr.value.initialize(null);
  await kr.value.setIdentity(serializeIdentity(generateIdentity()));
  const engine = new TextEngine({ keyring: kr.value, conversations: new ConversationStore(kr.value), tokens: new TokenStore(session), inviteUrl: 'https://veil.example/get' });
  const page: PageContext = {
    tabId: 1,
    site: site.url,
    conversationId: `chat/${ROOM}`,
    selfHandle: 'alice',
    peerHandle: 'bob',
    maxChars: 2000,
    alphabet: 'ascii',
    profileFallback: false,
  };
  const post = (texts: string[]) => texts.forEach((t) => site.inject(ROOM, 'alice', t));
  return {
    engine,
    page,
    post,
    /** Reads the room like a content script and answers handshake messages. */
    async sync(): Promise<void> {
      const items = site.history(ROOM).map((m, i) => ({ key: String(i), author: m.author, text: m.text }));
      const r = await engine.found(page, items);
      if (r.ok) for (const p of r.value.posts) post(p.texts);
    },
  };
}

async function visiblePlaintexts(page: DrivenPage): Promise<{ visible: number; shown: number }> {
  const visible = await page.evaluate(() => {
    // A chat opens at its latest messages.
    const el = document.querySelector('#messages') as HTMLElement;
    el.scrollTop = el.scrollHeight;
    const list = el.getBoundingClientRect();
    // On-screen messages Veil shows as decrypted messages (handshake lines have no frame).
    return [...document.querySelectorAll('#messages [data-veil-display="message"]')].filter((m) => {
      const r = m.getBoundingClientRect();
      return r.height > 0 && r.bottom > list.top && r.top < list.bottom;
    }).length;
  });
  let shown = 0;
  for (const { frame } of await veilFrames(page, 'm')) {
    if (await frame.evaluate(() => !!document.querySelector('[data-testid=plaintext]')).catch(() => false)) shown++;
  }
  return { visible, shown };
}

const heapMb = (page: DrivenPage) =>
  page.evaluate(() => Math.round(((performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0) / 1e5) / 10);

export async function runTextHistoryBench(measure: Measure = () => undefined): Promise<Row[]> {
  const site = await startChatSite();
  const bob = await launchVeil('chromium', 'bob', { enableTestHost: true });
  const rows: Row[] = [];
  try {
    await createIdentity(bob);
    const alice = await nodeAlice(site);
    // Session: Alice (Node) asks, Bob accepts in Veil's prompt, the handshake runs through the chat.
    const q = await alice.engine.startEncryption(alice.page);
    if (!q.ok) throw new Error(q.error.message);
    alice.post(q.value.texts);
    const b = await openChat(bob, site, ROOM, 'bob', 'textarea', '&rerender=0');
    await acceptQuery(b);
    await poll('handshake', async () => {
      await alice.sync();
      const v = await alice.engine.conversationView(alice.page);
      return v.ok && v.value.status === 'established';
    }, 60_000);
    // Bob's Veil confirms the session when it sees Alice's confirmation in the open tab.
    await new Promise((r) => setTimeout(r, 3000));
    await b.close();

    const t0 = performance.now();
    for (let i = 0; i < COUNT; i++) {
      const r = await alice.engine.composeSend(alice.page, `history message ${i}: ${'lorem ipsum dolor sit amet '.repeat(1 + (i % 4))}`);
      if (!r.ok) throw new Error(r.error.message);
      alice.post(r.value.texts);
    }
    rows.push({ bench: 'text-history', case: `Node: encrypt and post ${COUNT} messages`, ms: Math.round(performance.now() - t0) });

    // With Veil: open the room fresh; the newest messages are on screen.
    const start = performance.now();
    const page = await bob.newPage(`${site.url}/chat/${ROOM}?user=bob&editor=textarea&rerender=0`);
    await poll('visible plaintext', async () => {
      const v = await visiblePlaintexts(page);
      return v.visible > 0 && v.shown >= v.visible;
    }, 180_000).catch(async (e: unknown) => {
      await page.screenshot(join(artifactsDir, 'bench-history-failure.png'));
      const kinds = await page.evaluate(() => {
        const count: Record<string, number> = {};
        for (const el of document.querySelectorAll('[data-veil-display]')) {
          const k = `${el.getAttribute('data-veil-display')}:${(el.textContent ?? '').slice(0, 40)}`;
          count[k] = (count[k] ?? 0) + 1;
        }
        return JSON.stringify(count).slice(0, 800);
      });
      throw new Error(`${String(e)}; displays: ${kinds}; visible/shown: ${JSON.stringify(await visiblePlaintexts(page))}`);
    });
    const tVisible = performance.now() - start;
    await poll('all handled', () => page.evaluate((n) => document.querySelectorAll('[data-veil-display="message"]').length >= n, COUNT), 600_000);
    const tAll = performance.now() - start;
    const frames = (await veilFrames(page, 'm')).length;
    const heapVeil = await heapMb(page);
    // Re-opening the room: every message is in Veil's plaintext cache now.
    await page.close();
    const reStart = performance.now();
    const again = await bob.newPage(`${site.url}/chat/${ROOM}?user=bob&editor=textarea&rerender=0`);
    await poll('visible plaintext after re-opening', async () => {
      const v = await visiblePlaintexts(again);
      return v.visible > 0 && v.shown >= v.visible;
    }, 180_000);
    const tReopen = performance.now() - reStart;
    rows.push({ bench: 'text-history', case: `with Veil: room re-opened, on-screen ones readable`, ms: Math.round(tReopen) });
    rows.push({ bench: 'text-history', case: `with Veil: ${COUNT} messages, on-screen ones readable`, ms: Math.round(tVisible) });
    rows.push({ bench: 'text-history', case: `with Veil: all ${COUNT} handled (plaintext cached)`, ms: Math.round(tAll) });
    rows.push({ bench: 'text-history', case: 'with Veil: tab JS heap (MB) / message frames', ms: '', value: `${heapVeil} MB / ${frames} frames` });

    // Without Veil: the same page in the same Chromium build, no extension.
    const plain = await chromium.launchPersistentContext(freshProfileDir('plain'), {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
    });
    try {
      const p = await plain.newPage();
      const s2 = performance.now();
      await p.goto(`${site.url}/chat/${ROOM}?user=carol&editor=textarea&rerender=0`);
      await p.waitForFunction(checkPageCode((n: number) => document.querySelectorAll('#messages .msg').length >= n), COUNT, { timeout: 120_000 });
      const tPlain = performance.now() - s2;
      const p2 = await plain.newPage();
      const s3 = performance.now();
      await p2.goto(`${site.url}/chat/${ROOM}?user=carol&editor=textarea&rerender=0`);
      await p2.waitForFunction(checkPageCode((n: number) => document.querySelectorAll('#messages .msg').length >= n), COUNT, { timeout: 120_000 });
      const tPlainReopen = performance.now() - s3;
      rows.push({ bench: 'text-history', case: `without Veil: room re-opened, ${COUNT} messages rendered`, ms: Math.round(tPlainReopen) });
      measure('history-first-open', tVisible / tPlain, `${COUNT} messages, Chromium: on-screen plaintext after ${(tVisible / 1000).toFixed(2)} s, the page without Veil rendered in ${(tPlain / 1000).toFixed(2)} s`);
      measure('history-reopen', tReopen / tPlainReopen, `the same room opened again: ${(tReopen / 1000).toFixed(2)} s with Veil, ${(tPlainReopen / 1000).toFixed(2)} s without`);
      const heapPlain = await guardedEvaluator(p).evaluate(() => Math.round(((performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0) / 1e5) / 10);
      rows.push({ bench: 'text-history', case: `without Veil: ${COUNT} messages rendered (ciphertext)`, ms: Math.round(tPlain) });
      rows.push({ bench: 'text-history', case: 'without Veil: tab JS heap (MB)', ms: '', value: `${heapPlain} MB` });
      rows.push({ bench: 'text-history', case: 'ratio: on-screen readable with Veil / rendered without', ms: '', value: (tVisible / tPlain).toFixed(2) });
      rows.push({ bench: 'text-history', case: 'ratio: tab heap with Veil / without', ms: '', value: heapPlain > 0 ? (heapVeil / heapPlain).toFixed(2) : 'n/a' });
    } finally {
      await plain.close();
    }
  } finally {
    await bob.close();
    await site.close();
  }
  return rows;
}
