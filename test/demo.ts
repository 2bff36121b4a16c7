/**
 * `npm run demo`: the main job. Builds Veil, starts the local chat site, opens Alice's and Bob's
 * browsers with Veil (headless when there is no display), runs a short encrypted conversation,
 * and prints side by side what each person saw and what the chat server relayed. Screenshots
 * go to test-artifacts/demo-*.png. VEIL_DEMO_BROWSER=firefox uses Firefox ESR.
 */
import { execSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startChatSite } from './chat-site/server';
import { artifactsDir, launchVeil, type BrowserKind } from './e2e/harness';
import { repoRoot } from './e2e/harness/paths';
import { acceptQuery, createIdentity, openChat, openCompose, poll, readPlaintexts, sendInCompose, startEncryption, waitStatus } from './e2e/text-flow';

const kind = (process.env.VEIL_DEMO_BROWSER ?? 'chromium') as BrowserKind;
const script: Array<['alice' | 'bob', string]> = [
  ['alice', 'Hi Bob — is this really private?'],
  ['bob', 'Yes. The chat server only sees ciphertext. 🔒'],
  ['alice', 'Even *markdown*, links like https://example.com and עברית / 中文?'],
  ['bob', 'All of it. Compare our safety numbers in the Veil popup to be sure.'],
];

function column(lines: string[], width: number): string[] {
  return lines.flatMap((l) => (l.length <= width ? [l] : (l.match(new RegExp(`.{1,${width}}`, 'g')) ?? [])));
}

async function main(): Promise<void> {
  if (process.env.VEIL_SKIP_BUILD !== '1') {
    console.log('Building Veil…');
    execSync('npm run build', { cwd: repoRoot, stdio: 'inherit' });
  }
  mkdirSync(artifactsDir, { recursive: true });
  const site = await startChatSite();
  console.log(`Chat site: ${site.url}  (browsers: ${kind}, ${process.env.DISPLAY ? 'windowed' : 'headless'})`);
  const [alice, bob] = await Promise.all([launchVeil(kind, 'alice', { enableTestHost: true }), launchVeil(kind, 'bob', { enableTestHost: true })]);
  try {
    await Promise.all([createIdentity(alice), createIdentity(bob)]);
    const a = await openChat(alice, site, 'demo', 'alice', 'lexical', '&rerender=0');
    const b = await openChat(bob, site, 'demo', 'bob', 'lexical', '&rerender=0');
    console.log('Alice starts encryption; Bob accepts in Veil’s prompt…');
    const ac = await openCompose(a);
    await startEncryption(ac);
    await acceptQuery(b);
    await waitStatus(ac, 'encrypted');
    const bc = await openCompose(b);
    await waitStatus(bc, 'encrypted');
    for (const [who, text] of script) await (who === 'alice' ? sendInCompose(a, ac, text) : sendInCompose(b, bc, text));
    await poll('both to read the conversation', async () => (await readPlaintexts(a)).length === script.length && (await readPlaintexts(b)).length === script.length, 60_000);
    const seenA = await readPlaintexts(a);
    const seenB = await readPlaintexts(b);
    await a.screenshot(join(artifactsDir, 'demo-alice.png'));
    await b.screenshot(join(artifactsDir, 'demo-bob.png'));

    const relayed = site.log.filter((e) => e.kind === 'chat' && e.room === 'demo').map((e) => `${e.from}: ${(e as { text: string }).text}`);
    const w = 48;
    console.log(`\n${'ALICE SAW'.padEnd(w)} | ${'BOB SAW'.padEnd(w)}`);
    console.log(`${'-'.repeat(w)}-+-${'-'.repeat(w)}`);
    for (let i = 0; i < script.length; i++) {
      const l = column([`${script[i]![0]}: ${seenA[i] ?? '(missing)'}`], w);
      const r = column([`${script[i]![0]}: ${seenB[i] ?? '(missing)'}`], w);
      for (let k = 0; k < Math.max(l.length, r.length); k++) console.log(`${(l[k] ?? '').padEnd(w)} | ${r[k] ?? ''}`);
    }
    console.log('\nWHAT THE CHAT SERVER RELAYED');
    for (const line of relayed) console.log(`  ${line.length > 150 ? `${line.slice(0, 147)}…` : line}`);
    const leaked = script.some(([, t]) => relayed.some((r) => r.includes(t.slice(0, 12))));
    const same = JSON.stringify(seenA) === JSON.stringify(script.map(([, t]) => t)) && JSON.stringify(seenB) === JSON.stringify(seenA);
    console.log(`\nBoth saw the same conversation: ${same ? 'yes' : 'NO'}. Plaintext on the server: ${leaked ? 'YES (bug!)' : 'none'}.`);
    console.log(`Screenshots: ${join(artifactsDir, 'demo-alice.png')}, ${join(artifactsDir, 'demo-bob.png')}`);
    process.exitCode = same && !leaked ? 0 : 1;
  } finally {
    await alice.close();
    await bob.close();
    await site.close();
  }
}

await main();
