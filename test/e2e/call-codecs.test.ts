/**
 * Veil's codec-aware frame encryption (lib/media/codecs) in real browsers: one encrypted call per
 * video codec the browser pair shares, forced with the video page's `?codec=` parameter
 * (setCodecPreferences on both sides).
 *
 * Per pair, browsers and the text session are set up once (on the video page, through Veil's own
 * frames); each codec then gets fresh pages and a fresh connection in that room. For each codec:
 * the negotiated codec is the one asked for (getStats, both directions), both sides decode the
 * other's pattern, Veil's counters say every frame was encrypted and decrypted (none passed in
 * clear), and a receiver without Veil (Carol) gets packets of that codec but never the picture.
 *
 * Pairs: VEIL_CODEC_PAIRS=chromium-chromium,firefox-firefox,chromium-firefox; by default each pair
 * runs in the step of Bob's browser (VEIL_BROWSERS), as in call-e2ee.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChatSite, type ChatSite } from '../chat-site/server';
import { callPairs, callView, encryptedSessionOnVideoPages, pixels, plainBrowser, showsPattern, sleep, type AnyPage, type CallView, type Kind } from './call-flow';
import { launchVeil, waitUntil, type DrivenPage, type VeilBrowser } from './harness';
import { createIdentity, poll } from './text-flow';

type Codec = 'vp8' | 'vp9' | 'av1' | 'h264';

/**
 * Video codecs each browser here can both send and receive headless (RTCRtpSender/Receiver
 * .getCapabilities, checked by the first test so a browser update cannot silently shrink the
 * matrix). Debian's Chromium 156 ships H.264 (encode and decode); Firefox ESR 153 has no H.264
 * without the OpenH264 plugin, which a fresh headless profile does not download.
 */
const CODECS: Record<Kind, Codec[]> = {
  chromium: ['vp8', 'vp9', 'av1', 'h264'],
  firefox: ['vp8', 'vp9', 'av1'],
};

interface CallStats {
  video: { framesDecoded: number; packetsReceived: number; framesSent: number; codec: string; sendCodec: string };
}
interface CodecPreference {
  wanted: string | null;
  state: string;
  detail: string;
}
const stats = (p: AnyPage): Promise<CallStats> => p.evaluate(() => window.__call!.stats() as unknown as Promise<CallStats>);
const preference = (p: AnyPage): Promise<CodecPreference> => p.evaluate(() => window.__call!.codecPreference as CodecPreference);

async function connected(p: AnyPage, partner: string): Promise<void> {
  await poll(`connected with ${partner}`, () => p.evaluate((who: string) => window.__call?.state === 'connected' && window.__call.partner === who, partner), 30_000);
}

/** Veil's drop counts by reason for the tab's current call (the background's mirrored report). */
async function dropReasons(ext: DrivenPage, urlPart: string): Promise<{ send: Record<string, number>; receive: Record<string, number> } | null> {
  return ext.evaluate(async (part: string) => {
    type Api = {
      tabs: { query(q: object): Promise<Array<{ id?: number; url?: string }>> };
      storage: { session: { get(k: string[]): Promise<Record<string, unknown>> } };
    };
    const g = globalThis as unknown as { browser?: Api; chrome: Api };
    const api = g.browser ?? g.chrome;
    const tabId = (await api.tabs.query({})).find((t) => (t.url ?? '').includes(part))?.id ?? -1;
    type Rec = { tabId: number; updatedAt: number; ended: boolean; report: { send: { drops: Record<string, number> }; receive: { drops: Record<string, number> } } | null };
    const all = ((await api.storage.session.get(['veil.calls']))['veil.calls'] ?? []) as Rec[];
    const rec = all.filter((c) => c.tabId === tabId && c.report && !c.ended).sort((a, b) => b.updatedAt - a.updatedAt)[0];
    return rec?.report ? { send: rec.report.send.drops, receive: rec.report.receive.drops } : null;
  }, urlPart);
}

/** Video codecs a page's browser can both send and receive (lowercase names). */
async function sendRecvCodecs(p: AnyPage): Promise<string[]> {
  return p.evaluate(() => {
    const names = (list: RTCRtpCodec[] | undefined) => new Set((list ?? []).map((c) => c.mimeType.toLowerCase().replace('video/', '')));
    const send = names(RTCRtpSender.getCapabilities('video')?.codecs);
    const recv = names(RTCRtpReceiver.getCapabilities('video')?.codecs);
    return [...send].filter((c) => recv.has(c) && !['rtx', 'red', 'ulpfec'].includes(c)).sort();
  });
}

describe.each(callPairs('VEIL_CODEC_PAIRS'))('call codecs %s (Alice) with %s (Bob)', (aliceKind, bobKind) => {
  const shared = CODECS[aliceKind].filter((c) => CODECS[bobKind].includes(c));
  const room = `codecs-${aliceKind}-${bobKind}-${Date.now().toString(36)}`;
  let site: ChatSite;
  let alice: VeilBrowser;
  let bob: VeilBrowser;
  let carolBrowser: Awaited<ReturnType<typeof plainBrowser>> | null = null;
  let aExt: DrivenPage;
  let bExt: DrivenPage;
  let attempt = 0;
  let caps: [string[], string[]] = [[], []];

  beforeAll(async () => {
    const t0 = Date.now();
    site = await startChatSite();
    [alice, bob, carolBrowser] = await Promise.all([
      launchVeil(aliceKind, 'alice', { enableTestHost: true }),
      launchVeil(bobKind, 'bob', { enableTestHost: true }),
      aliceKind === bobKind ? plainBrowser(bobKind) : Promise.resolve(null),
    ]);
    await Promise.all([createIdentity(alice), createIdentity(bob)]);
    const t1 = Date.now();
    // The text session of the room, established on the video page as people would.
    const a = await alice.newPage(`${site.url}/video/${room}?user=alice`);
    const b = await bob.newPage(`${site.url}/video/${room}?user=bob`);
    await encryptedSessionOnVideoPages(a, b, site);
    caps = [await sendRecvCodecs(a), await sendRecvCodecs(b)];
    await a.close();
    await b.close();
    aExt = await alice.openExtensionPage('/popup.html');
    bExt = await bob.openExtensionPage('/popup.html');
    console.log(`[codecs] ${aliceKind}->${bobKind} setup: browsers + identities ${((t1 - t0) / 1000).toFixed(1)} s, session ${((Date.now() - t1) / 1000).toFixed(1)} s`);
  });
  afterAll(async () => {
    await alice?.close();
    await bob?.close();
    await carolBrowser?.close();
    await site?.close();
  });

  it('the browsers can send and receive the codecs this file expects of them', () => {
    const [ca, cb] = caps;
    console.log(`[codecs] ${aliceKind}: ${ca.join(' ')} | ${bobKind}: ${cb.join(' ')}`);
    for (const c of CODECS[aliceKind]) expect(ca).toContain(c);
    for (const c of CODECS[bobKind]) expect(cb).toContain(c);
  });

  const carolToo = aliceKind === bobKind ? '; a keyless receiver sees no picture' : '';
  it.each(shared)(`%s: negotiated as asked, encrypted both ways, both pictures decode${carolToo}`, async (codec) => {
    // Unique handles per attempt: a retried test never pairs with a page of the failed attempt.
    const tag = `${codec}${++attempt}`;
    const aliceUrl = `user=alice&codec=${codec}&t=${tag}`;
    const bobUrl = `user=bob&codec=${codec}&t=${tag}`;
    const a = await alice.newPage(`${site.url}/video/${room}?${aliceUrl}`);
    const b = await bob.newPage(`${site.url}/video/${room}?${bobUrl}`);
    // Carol's page loads while Alice and Bob talk (she starts her camera only after Bob left).
    const carolPage = carolBrowser?.open(`${site.url}/video/${room}?user=carol${tag}&codec=${codec}`) ?? null;
    if (carolPage) void carolPage.catch(() => undefined); // awaited below; never an unhandled rejection
    let carol: AnyPage | null = null;
    const t0 = Date.now();
    const phases: string[] = [];
    const phase = (name: string) => phases.push(`${name} ${((Date.now() - t0) / 1000).toFixed(1)}`);
    try {
      for (const p of [a, b]) await waitUntil(p, () => document.documentElement.getAttribute('data-veil-content') === 'connected', { what: 'content script', timeoutMs: 20_000 });
      await a.evaluate(() => window.__call!.start());
      await b.evaluate(() => window.__call!.start());
      await connected(b, 'alice');
      await connected(a, 'bob');
      phase('connected');
      for (const p of [a, b]) expect(await preference(p)).toMatchObject({ wanted: codec, state: 'applied' });

      const mime = `video/${codec}`;
      // Both sides decode the other's pattern: the codec's clear bytes are right in both directions.
      for (const [p, who] of [[b, 'Bob'], [a, 'Alice']] as const) {
        await poll(`${who} sees the pattern over ${codec}`, async () => showsPattern(await pixels(p)), 30_000);
      }
      phase('pictures');
      const [sa, sb] = [await stats(a), await stats(b)];
      console.log(`[codecs] ${aliceKind}->${bobKind} ${codec}: alice ${JSON.stringify(sa.video)} bob ${JSON.stringify(sb.video)}`);
      expect(sa.video.sendCodec.toLowerCase()).toBe(mime);
      expect(sb.video.codec.toLowerCase()).toBe(mime);
      expect(sb.video.sendCodec.toLowerCase()).toBe(mime);
      expect(sa.video.codec.toLowerCase()).toBe(mime);

      // Encrypted, and a steady stream of frames through Veil both ways (the counters are cumulative).
      const steady = (v: CallView | null): CallView | null =>
        v?.status === 'encrypted' && v.framesEncrypted > 30 && v.framesDecrypted > 30 ? v : null;
      const va = await poll('Alice: call encrypted, > 30 frames each way', async () => steady(await callView(aExt, aliceUrl)), 30_000);
      const vb = await poll('Bob: call encrypted, > 30 frames each way', async () => steady(await callView(bExt, bobUrl)), 30_000);
      phase('encrypted');
      console.log(`[codecs] ${codec} views: alice ${JSON.stringify(va)} bob ${JSON.stringify(vb)}`);
      for (const v of [va, vb]) expect(v.framesPassthrough).toBe(0);
      // Steady state: decoding keeps going (not one lucky key frame) and frames are not dropped any
      // more (earlier drops: frames that arrived before keys, and a few at call start). Key and delta
      // frames, every OBU / NAL type the encoder emits, pass the codec rules in both directions.
      // Veil's counters reach the background with a heartbeat (about every 2 s): the window runs
      // until a report newer than the first one arrived from each side.
      const before = (await stats(b)).video.framesDecoded;
      const later = (ext: DrivenPage, url: string, first: CallView) =>
        poll('a newer report', async () => {
          const v = await callView(ext, url);
          return v && v.framesDecrypted > first.framesDecrypted ? v : null;
        }, 15_000);
      const [va2, vb2] = [await later(aExt, aliceUrl, va), await later(bExt, bobUrl, vb)];
      expect((await stats(b)).video.framesDecoded - before).toBeGreaterThan(5);
      expect(showsPattern(await pixels(b))).toBe(true);
      phase('steady');
      const [da, db] = [await dropReasons(aExt, aliceUrl), await dropReasons(bExt, bobUrl)];
      console.log(`[codecs] ${codec} drops in steady state: alice ${va2.framesDropped - va.framesDropped}, bob ${vb2.framesDropped - vb.framesDropped}; all drops by reason (background mirror, up to 10 s old): alice ${JSON.stringify(da)} bob ${JSON.stringify(db)}`);
      expect(va2.framesEncrypted).toBeGreaterThan(va.framesEncrypted);
      expect(vb2.framesEncrypted).toBeGreaterThan(vb.framesEncrypted);
      // Almost none dropped meanwhile: a rule that failed on a kind of frame (every delta frame,
      // every frame of a layer) would drop far more. Rare drops were seen at call start on this
      // shared machine (reason not identified, see docs/calls.md): tolerated below 5 %.
      for (const [v1, v2] of [[va, va2], [vb, vb2]] as const) {
        const through = v2.framesDecrypted - v1.framesDecrypted + (v2.framesEncrypted - v1.framesEncrypted);
        expect(v2.framesDropped - v1.framesDropped).toBeLessThan(Math.max(1, 0.05 * through));
      }

      // Carol (no Veil) takes Bob's place: she receives Alice's frames of this codec, encrypted.
      // Same-browser pairs only: the cross pair would repeat what those show, at a cost in time.
      if (!carolPage) return;
      await b.close();
      carol = await carolPage;
      await carol.evaluate(() => window.__call!.start());
      await connected(carol, 'alice');
      await poll('Carol receives video packets', async () => (await stats(carol!)).video.packetsReceived > 50, 20_000);
      await sleep(1000);
      const sc = await stats(carol);
      const pc = await pixels(carol);
      console.log(`[codecs] Carol (${bobKind}, ${codec}): ${JSON.stringify(sc.video)} pixels ${JSON.stringify(pc)}`);
      expect(sc.video.codec.toLowerCase()).toBe(mime);
      expect(showsPattern(pc)).toBe(false);
      phase('carol');
    } catch (err) {
      // A retried attempt that then passes hides its error: keep it in the log.
      console.log(`[codecs] ${aliceKind}->${bobKind} ${codec} attempt ${tag} failed: ${String(err)}`);
      throw err;
    } finally {
      carol ??= await carolPage?.catch(() => null) ?? null;
      console.log(`[codecs] ${aliceKind}->${bobKind} ${codec} phases (s): ${phases.join(', ')}`);
      await carol?.close().catch(() => undefined);
      await a.close().catch(() => undefined);
      await b.close().catch(() => undefined);
    }
  });
});
