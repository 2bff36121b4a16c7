/**
 * `npm run demo`: the main job, from a fresh clone. Checks (or installs) the browser, builds Veil,
 * starts the local chat site, and opens three browsers: Alice's and Bob's with Veil, and a third
 * without Veil in the same room, which shows what the chat server relays. Alice starts encryption
 * in Veil's compose box, Bob accepts, they write a few messages (one long enough to be split).
 * Prints what each person read, every relayed text with what it is (decoded with Veil's own
 * parsers), the safety numbers to compare, and a verdict; saves screenshots and one side-by-side
 * picture in test-artifacts/ (demo.png; demo-firefox.png for Firefox). Exit code 0 only if
 * everything checked out.
 *
 *   VEIL_DEMO_BROWSER=firefox   Firefox ESR instead of Chromium
 *   VEIL_SKIP_BUILD=1           use the existing .output/ build
 */
import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { VerificationView } from '../../lib/messaging/views';
import { startChatSite, type ChatSite } from '../chat-site/server';
import { artifactsDir, launchVeil, type DrivenPage, type VeilBrowser } from '../e2e/harness';
import { repoRoot } from '../e2e/harness/paths';
import { launchPlain, type PlainBrowser } from '../e2e/harness/plain';
import { ask, createIdentity, establishSession, openChat, poll, readPlaintexts, relayedTexts, sendInCompose } from '../e2e/text-flow';
import { BROWSERS, ensureInstalled, requirementsFor, type BrowserKind } from '../setup/browsers.mjs';
import { compositeHtml } from './composite';
import { labelRelayed, type LabeledText } from './relay-labels';

const ROOM = 'demo';
// Long enough that its armor exceeds the site's 2000 characters: Veil posts it in parts.
const LONG = `A long one, to show what happens when a message is longer than the site allows in one post (2000 characters): Veil splits it into parts and Bob's Veil puts them back together. ${'The quick brown fox jumps over the lazy dog. '.repeat(25)}The end.`;
/** Every browser's window: tall enough that each screenshot shows the whole conversation. */
const VIEWPORT = { width: 1200, height: 1300 };
const SCRIPT: Array<['alice' | 'bob', string]> = [
  ['alice', 'Hi Bob — is this really private?'],
  ['bob', 'Yes. The chat server only sees ciphertext. 🔒'],
  ['alice', 'Even *markdown*, links like https://example.com and עברית / 中文?'],
  ['bob', 'All of it. Compare our safety numbers in the Veil popup to be sure.'],
  ['alice', LONG],
];

function browserKind(): BrowserKind {
  const raw = process.env.VEIL_DEMO_BROWSER ?? 'chromium';
  if (raw === 'chromium' || raw === 'firefox') return raw;
  console.error(`VEIL_DEMO_BROWSER must be "chromium" or "firefox", not "${raw}".`);
  process.exit(2);
}

const shorten = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** The contact's safety number and words to read aloud, as Veil's popup shows them. */
async function verification(veil: VeilBrowser, site: ChatSite, peer: string): Promise<VerificationView> {
  const popup = await veil.openExtensionPage('/popup.html');
  try {
    const r = await ask<VerificationView>(popup, 'contacts:verification', { site: site.url, handle: peer });
    if (!r.ok || !r.value) throw new Error(`${veil.name}'s Veil has no safety number for ${peer}: ${JSON.stringify(r.error)}`);
    return r.value;
  } finally {
    await popup.close();
  }
}

/** How many of Veil's notices in a chat are errors (a normal conversation should show none). */
function errorLines(page: DrivenPage): Promise<number> {
  return page.evaluate(() => document.querySelectorAll('[data-veil-display="error"]').length);
}

/** What the page without Veil shows: each message's raw text, as the server sent it. */
function observedTexts(page: DrivenPage): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __chat?: { raw(): Array<{ text: string }> } }).__chat?.raw().map((m) => m.text) ?? []);
}

function printRelayed(labeled: LabeledText[]): void {
  console.log(`\nWHAT THE CHAT SERVER RELAYED: ${labeled.length} texts, each decoded with Veil's own parsers (nothing decrypted)`);
  for (const [i, l] of labeled.entries()) {
    console.log(`${String(i + 1).padStart(3)}  ${l.from.padEnd(6)} ${l.label}`);
    console.log(`             ${shorten(l.text, 110)}${l.text.length > 110 ? ` (${l.text.length} characters)` : ''}`);
  }
}

async function main(): Promise<number> {
  const kind = browserKind();
  // Chromium's run (the README's command) saves demo*.png; Firefox's demo-firefox*.png next to it.
  const prefix = kind === 'chromium' ? 'demo' : 'demo-firefox';
  const ready = ensureInstalled({ requirements: requirementsFor([kind]) });
  if (!ready.ok) {
    console.error(ready.message);
    return 1;
  }
  if (process.env.VEIL_SKIP_BUILD !== '1') {
    console.log('Building Veil (npm run build)…');
    execSync('npm run build', { cwd: repoRoot, stdio: 'inherit' });
  }
  mkdirSync(artifactsDir, { recursive: true });
  const t0 = Date.now();
  const site = await startChatSite();
  const name = BROWSERS[kind].what;
  console.log(`\nVeil demo in ${name} (${process.env.DISPLAY ? 'windowed' : 'headless'}). Chat site: ${site.url}/chat/${ROOM}`);
  console.log(`Alice and Bob each have ${name} with Veil; a third ${name} without Veil joins the same room as "observer": it shows what the server relays.`);

  let alice: VeilBrowser | undefined;
  let bob: VeilBrowser | undefined;
  let plain: PlainBrowser | undefined;
  const pages: Array<[string, DrivenPage]> = [];
  try {
    // Started together; whichever started is closed below even if another failed to.
    const launching = [launchVeil(kind, 'alice', { enableTestHost: true, viewport: VIEWPORT }), launchVeil(kind, 'bob', { enableTestHost: true, viewport: VIEWPORT }), launchPlain(kind, { viewport: VIEWPORT })] as const;
    const settled = await Promise.allSettled(launching);
    alice = settled[0].status === 'fulfilled' ? settled[0].value : undefined;
    bob = settled[1].status === 'fulfilled' ? settled[1].value : undefined;
    plain = settled[2].status === 'fulfilled' ? settled[2].value : undefined;
    for (const s of settled) if (s.status === 'rejected') throw s.reason;
    if (!alice || !bob || !plain) throw new Error('a browser did not start');
    await Promise.all([createIdentity(alice), createIdentity(bob)]);
    const a = await openChat(alice, site, ROOM, 'alice', 'lexical', '&rerender=0');
    const b = await openChat(bob, site, ROOM, 'bob', 'lexical', '&rerender=0');
    const o = await plain.newPage(`${site.url}/chat/${ROOM}?user=observer&editor=textarea&rerender=0`);
    pages.push(['alice', a], ['bob', b], ['server', o]);

    console.log('\n1. Alice opens Veil’s compose box (Alt+Shift+E) and clicks “Start encryption”; Bob accepts in Veil’s prompt.');
    const { ac, bc } = await establishSession(a, b);
    console.log(`2. Both compose boxes say “encrypted”. They write ${SCRIPT.length} messages in Veil’s compose boxes (the last one is long).`);
    for (const [who, text] of SCRIPT) await (who === 'alice' ? sendInCompose(a, ac, text) : sendInCompose(b, bc, text));
    const expected = SCRIPT.map(([, t]) => t);
    let seenA: string[] = [];
    let seenB: string[] = [];
    await poll('Alice and Bob to read every message', async () => {
      [seenA, seenB] = await Promise.all([readPlaintexts(a), readPlaintexts(b)]);
      return seenA.length >= expected.length && seenB.length >= expected.length;
    }, 60_000).catch(() => undefined);
    const relayed = relayedTexts(site, ROOM);
    await poll('the page without Veil to show every relayed text', async () => (await observedTexts(o)).length >= relayed.length, 20_000).catch(() => undefined);
    const observed = await observedTexts(o);
    const [safetyA, safetyB] = await Promise.all([verification(alice, site, 'bob'), verification(bob, site, 'alice')]);
    const errors = { alice: await errorLines(a), bob: await errorLines(b) };

    // Screenshots: each person's screen, the screen without Veil, then all three side by side.
    const files = { alice: `${prefix}-alice.png`, bob: `${prefix}-bob.png`, server: `${prefix}-server.png` };
    await a.screenshot(join(artifactsDir, files.alice));
    await b.screenshot(join(artifactsDir, files.bob));
    // The server's view lists every relayed text, however long: its page grows to hold them all.
    await o.evaluate(() => {
      for (const el of document.querySelectorAll<HTMLElement>('.chat, #messages')) Object.assign(el.style, { height: 'auto', overflow: 'visible' });
    });
    await o.screenshot(join(artifactsDir, files.server), { fullPage: true });
    const labeled = labelRelayed(site.log.flatMap((e) => (e.kind === 'chat' && e.room === ROOM ? [{ from: e.from, text: e.text }] : [])));
    const html = compositeHtml({
      title: `Veil demo: the same chat seen by Alice, by Bob, and by the server (${name})`,
      shots: [
        { file: files.alice, caption: 'What Alice saw', detail: `${name} with Veil: her messages and Bob's, decrypted in Veil's frames` },
        { file: files.bob, caption: 'What Bob saw', detail: `${name} with Veil: the same conversation` },
        { file: files.server, caption: 'What the server saw', detail: `a third ${name} without Veil in the same room: only the query line and ciphertext` },
      ],
      relayed: labeled,
      footer: `Safety number on both sides: ${safetyA.safetyNumber}. Compare it in the Veil popup (Contacts → Verify), or read the words aloud in a call: ${safetyA.sas ?? '(none)'}.`,
    });
    writeFileSync(join(artifactsDir, `${prefix}.html`), html);
    const picture = await plain.newPage(pathToFileURL(join(artifactsDir, `${prefix}.html`)).href);
    await picture.screenshot(join(artifactsDir, `${prefix}.png`), { fullPage: true });
    await picture.close();

    // What each person read.
    console.log('\nWHAT ALICE AND BOB READ (the text in Veil’s message frames in each browser)');
    for (const [i, [who, text]] of SCRIPT.entries()) {
      const mark = (seen: string[]): string => (seen[i] === text ? '✓' : `✗ (${seen[i] === undefined ? 'missing' : JSON.stringify(shorten(seen[i]!, 60))})`);
      console.log(`  ${who.padEnd(5)}: ${shorten(text, 78).padEnd(78)}  Alice ${mark(seenA)}  Bob ${mark(seenB)}`);
    }
    printRelayed(labeled);

    console.log('\nHOW TO VERIFY that no one swapped the keys in transit');
    console.log(`  Alice's Veil, safety number for bob:  ${safetyA.safetyNumber}`);
    console.log(`  Bob's Veil, safety number for alice:  ${safetyB.safetyNumber}`);
    if (safetyA.sas) console.log(`  Words to read aloud in a call:        ${safetyA.sas}${safetyB.sas === safetyA.sas ? '' : ` (Bob's Veil: ${safetyB.sas ?? 'none'})`}`);
    console.log('  Yourself: open the Veil popup in each browser, Contacts → Verify, and compare the 60-digit safety');
    console.log('  number (or scan its QR code); in a call, read the short authentication string aloud. If they differ,');
    console.log('  someone is in the middle: do not mark the contact verified.');

    // The verdict.
    const readOk = JSON.stringify(seenA) === JSON.stringify(expected) && JSON.stringify(seenB) === JSON.stringify(expected);
    const words = [...new Set(expected.flatMap((t) => t.split(/\s+/)).filter((w) => w.length >= 6))];
    const leaked = words.filter((w) => relayed.some((r) => r.includes(w)));
    const observerOk = JSON.stringify(observed) === JSON.stringify(relayed);
    const safetyOk = /^[\d ]+$/.test(safetyA.safetyNumber) && safetyA.safetyNumber === safetyB.safetyNumber;
    const labelsOk = labeled.every((l) => l.kind !== 'damaged' && l.kind !== 'plain');
    console.log('\nRESULT');
    console.log(`  Alice and Bob read exactly what was written:        ${readOk ? 'yes' : 'NO'}`);
    console.log(`  Plaintext on the server:                            ${leaked.length === 0 ? 'none' : `YES: ${leaked.slice(0, 5).join(' ')}`}`);
    console.log(`  Every relayed text is Veil's query line or armor:   ${labelsOk ? 'yes' : 'NO'}`);
    console.log(`  The browser without Veil shows what was relayed:    ${observerOk ? 'yes' : `NO (${observed.length} texts shown, ${relayed.length} relayed)`}`);
    console.log(`  Safety numbers match:                               ${safetyOk ? 'yes' : 'NO'}`);
    if (errors.alice + errors.bob > 0) {
      console.log(`  Note: Veil showed error lines in this normal conversation (alice ${errors.alice}, bob ${errors.bob}); see the screenshots.`);
    }
    console.log(`\nSaved in ${artifactsDir}: ${prefix}.png (all three side by side), ${prefix}.html, ${files.alice}, ${files.bob}, ${files.server}`);
    console.log(`Done in ${((Date.now() - t0) / 1000).toFixed(0)} s.`);
    return readOk && leaked.length === 0 && labelsOk && observerOk && safetyOk ? 0 : 1;
  } catch (err) {
    console.error(`\nThe demo stopped: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    for (const [who, page] of pages) await page.screenshot(join(artifactsDir, `${prefix}-failed-${who}.png`)).catch(() => undefined);
    if (pages.length > 0) console.error(`Screenshots of the moment: ${artifactsDir}/${prefix}-failed-*.png`);
    return 1;
  } finally {
    const open = [alice, bob, plain].filter((b) => b !== undefined);
    await Promise.all(open.map((b) => b.close().catch(() => undefined)));
    await site.close();
  }
}

process.exitCode = await main();
