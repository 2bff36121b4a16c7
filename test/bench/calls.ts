/**
 * Call benchmark, in real browsers:
 *  1. per-frame encrypt/decrypt p50/p99 for 720p and 1080p VP8-sized frames inside a Web Worker
 *     (noble ChaCha20-Poly1305 vs WebCrypto AES-256-GCM): bench/media.ts's loop, bundled with
 *     esbuild and run in a blob worker in headless Chromium and Firefox;
 *  2. a call of VEIL_CALL_SECONDS (default 60) on the chat site's video page between two headless
 *     Chromiums without Veil, then between two with Veil and an encrypted session, in the same
 *     run: receiver frame rate, sender frame rate, and CPU seconds of both browsers' processes.
 * Needs the built extension (.output) for part 2. Prints nothing; returns rows.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import puppeteer from 'puppeteer-core';
import { startChatSite } from '../chat-site/server';
import { launchVeil } from '../e2e/harness';
import { acceptQuery, createIdentity, openCompose, startEncryption, waitStatus } from '../e2e/text-flow';

type Row = Record<string, string | number>;
const repo = resolve(import.meta.dirname, '../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The worker's own loop (not bench/media.ts's): Firefox coarsens performance.now() to 1 ms in
 * workers, so each sample is the mean of a batch of BATCH frames, and p50/p99 are over batches.
 */
async function workerSource(): Promise<string> {
  const lib = (f: string) => JSON.stringify(join(repo, 'lib/media', f));
  const out = await build({
    stdin: {
      contents: `import { rulesFor } from ${lib('codecs/index.ts')};
        import { decryptFrame, decryptFrameAsync, encryptFrame, encryptFrameAsync, webCryptoAesGcm } from ${lib('frame-crypto.ts')};
        import { MediaKeyRing } from ${lib('key-ring.ts')};
        const BATCH = 10;
        const SIZES = [['720p key', 25000, true], ['720p delta', 8000, false], ['1080p key', 60000, true], ['1080p delta', 15000, false]];
        function frame(n, key, seed) { const f = new Uint8Array(n); let s = seed; for (let i = 0; i < n; i++) { s = (s * 1103515245 + 12345) >>> 0; f[i] = s >>> 24; }
          f[0] = key ? f[0] & 0xfe : f[0] | 1; if (key) f.set([0x9d, 0x01, 0x2a], 3); return f; }
        const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return Math.round(s[Math.min(s.length - 1, Math.floor(p / 100 * s.length))] * 1000) / 1000; };
        async function run(batches) {
          const rows = []; const rules = rulesFor('vp8'); const subtle = self.crypto && self.crypto.subtle;
          for (const [label, bytes, key] of SIZES) {
            const frames = Array.from({ length: BATCH }, (_, i) => frame(bytes, key, i + 1));
            for (const suite of ['chacha20-poly1305', 'aes-256-gcm']) {
              if (suite === 'aes-256-gcm' && !subtle) continue;
              const aead = suite === 'aes-256-gcm' ? webCryptoAesGcm(subtle) : null;
              const tx = new MediaKeyRing({ suite }); const rx = new MediaKeyRing({ suite });
              const raw = new Uint8Array(32).fill(42); tx.setSendKey(1, raw); rx.addReceiveKey(1, raw);
              const enc = [], dec = [];
              for (let b = 0; b < batches + 2; b++) {
                const t0 = performance.now(); const cts = [];
                for (const f of frames) { const e = aead ? await encryptFrameAsync(tx, rules, f, aead) : encryptFrame(tx, rules, f); if (!e.ok) throw new Error(e.error.code); cts.push(e.value.data); }
                const t1 = performance.now();
                for (const c of cts) { const d = aead ? await decryptFrameAsync(rx, rules, c, aead) : decryptFrame(rx, rules, c); if (!d.ok) throw new Error(d.error.code); }
                const t2 = performance.now();
                if (b >= 2) { enc.push((t1 - t0) / BATCH); dec.push((t2 - t1) / BATCH); }
              }
              rows.push({ frame: 'VP8 ' + label, bytes, cipher: aead ? 'WebCrypto aes-256-gcm (async)' : 'noble chacha20-poly1305 (sync)',
                'encrypt p50 ms': pct(enc, 50), 'encrypt p99 ms': pct(enc, 99), 'decrypt p50 ms': pct(dec, 50), 'decrypt p99 ms': pct(dec, 99),
                samples: enc.length + ' batches of ' + BATCH });
            }
          }
          return rows;
        }
        self.onmessage = async (e) => { try { self.postMessage({ ok: true, rows: await run(e.data) }); } catch (err) { self.postMessage({ ok: false, error: String(err) }); } };`,
      resolveDir: repo,
      loader: 'js',
    },
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
  });
  return out.outputFiles[0]!.text;
}

interface Evaluator {
  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
}

async function runInWorker(page: Evaluator, src: string, iterations: number): Promise<Row[]> {
  const r = await page.evaluate(
    ({ src, iterations }: { src: string; iterations: number }) =>
      new Promise<{ ok: boolean; rows?: Row[]; error?: string }>((res) => {
        const w = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })));
        w.onmessage = (e) => res(e.data as { ok: boolean; rows?: Row[]; error?: string });
        w.onerror = (e) => res({ ok: false, error: e.message });
        w.postMessage(iterations);
      }),
    { src, iterations },
  );
  if (!r.ok || !r.rows) throw new Error(`worker bench: ${r.error}`);
  return r.rows;
}

async function workerBench(): Promise<Row[]> {
  const src = await workerSource();
  const rows: Row[] = [];
  const iterations = Number(process.env.VEIL_CALL_BENCH_ITER ?? 60);
  // A page on 127.0.0.1 is a secure context: WebCrypto is available in its workers.
  const site = await startChatSite();
  try {
    await workerRuns(site.url, src, iterations, rows);
  } finally {
    await site.close();
  }
  return rows;
}

async function workerRuns(url: string, src: string, iterations: number, rows: Row[]): Promise<void> {
  const c = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await c.newPage();
    await page.goto(url);
    for (const r of await runInWorker(page as unknown as Evaluator, src, iterations)) rows.push({ bench: 'call frame (worker)', browser: 'Chromium 156', ...r });
  } finally {
    await c.close();
  }
  const f = await puppeteer.launch({ browser: 'firefox', executablePath: '/usr/bin/firefox-esr', headless: true });
  try {
    const page = await f.newPage();
    await page.goto(url);
    for (const r of await runInWorker(page as unknown as Evaluator, src, iterations)) rows.push({ bench: 'call frame (worker)', browser: 'Firefox ESR', ...r });
  } finally {
    await f.close();
  }
}

/** CPU seconds (user + system) of the processes whose command line mentions `marker`, and all their descendants. */
function cpuSeconds(marker: string): number {
  const hz = 100; // USER_HZ on Linux
  const procs = new Map<number, { ppid: number; ticks: number; match: boolean }>();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields[1] = ppid, fields[11] = utime, fields[12] = stime
      procs.set(Number(pid), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]), match: cmd.includes(marker) });
    } catch {
      /* exited */
    }
  }
  const counted = (pid: number): boolean => {
    for (let p = pid, depth = 0; p > 1 && depth < 64; depth++) {
      const info = procs.get(p);
      if (!info) return false;
      if (info.match) return true;
      p = info.ppid;
    }
    return false;
  };
  let ticks = 0;
  for (const [pid, info] of procs) if (counted(pid)) ticks += info.ticks;
  return ticks / hz;
}

interface CallPage {
  evaluate<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R>;
}

async function frameCounts(p: CallPage): Promise<{ decoded: number; sent: number }> {
  const s = await p.evaluate(() => window.__call!.stats());
  return { decoded: s.video.framesDecoded, sent: s.video.framesSent };
}

async function waitConnected(p: CallPage): Promise<void> {
  for (let i = 0; i < 180; i++) {
    if (await p.evaluate(() => window.__call?.state === 'connected')) return;
    await sleep(250);
  }
  throw new Error('call did not connect');
}

async function measure(label: string, sender: CallPage, receiver: CallPage, markers: string[], seconds: number): Promise<Row> {
  await waitConnected(receiver);
  await sleep(4000); // let the encoder ramp up
  const c0 = markers.reduce((s, m) => s + cpuSeconds(m), 0);
  const r0 = await frameCounts(receiver);
  const s0 = await frameCounts(sender);
  const t0 = Date.now();
  await sleep(seconds * 1000);
  const dt = (Date.now() - t0) / 1000;
  const r1 = await frameCounts(receiver);
  const s1 = await frameCounts(sender);
  const c1 = markers.reduce((s, m) => s + cpuSeconds(m), 0);
  return {
    bench: 'call',
    setup: label,
    seconds: Math.round(dt),
    'receiver fps': Math.round(((r1.decoded - r0.decoded) / dt) * 100) / 100,
    'sender fps': Math.round(((s1.sent - s0.sent) / dt) * 100) / 100,
    'browser CPU s': Math.round((c1 - c0) * 100) / 100,
    'CPU % of one core': Math.round(((c1 - c0) / dt) * 1000) / 10,
    'CPU ms per received frame': Math.round(((1000 * (c1 - c0)) / Math.max(1, r1.decoded - r0.decoded)) * 10) / 10,
  };
}

async function callBench(seconds: number): Promise<Row[]> {
  const site = await startChatSite();
  const rows: Row[] = [];
  try {
    // Without Veil: two separate Chromium instances, each with its own profile directory.
    const plain: Array<{ dir: string; close(): Promise<void>; page: CallPage }> = [];
    for (const user of ['p1', 'p2']) {
      const dir = mkdtempSync(join(tmpdir(), `veil-bench-plain-${user}-`));
      const ctx = await chromium.launchPersistentContext(dir, {
        executablePath: '/usr/bin/chromium',
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required'],
      });
      const page = await ctx.newPage();
      await page.goto(`${site.url}/video/bench-plain?user=${user}`);
      plain.push({ dir, close: () => ctx.close(), page: page as unknown as CallPage });
    }
    await plain[0]!.page.evaluate(() => window.__call!.start());
    await plain[1]!.page.evaluate(() => window.__call!.start());
    rows.push(await measure('Chromium, no Veil', plain[1]!.page, plain[0]!.page, plain.map((p) => p.dir), seconds));
    for (const p of plain) await p.close();

    // With Veil: encrypted session on the video page through Veil's own frames, then the call.
    const [alice, bob] = await Promise.all([launchVeil('chromium', 'bench-alice', { enableTestHost: true }), launchVeil('chromium', 'bench-bob', { enableTestHost: true })]);
    try {
      await Promise.all([createIdentity(alice), createIdentity(bob)]);
      const a = await alice.newPage(`${site.url}/video/bench-veil?user=alice`);
      const b = await bob.newPage(`${site.url}/video/bench-veil?user=bob`);
      for (const p of [a, b]) {
        for (let i = 0; i < 80 && !(await p.evaluate(() => document.documentElement.getAttribute('data-veil-content') === 'connected')); i++) await sleep(250);
      }
      const ac = await openCompose(a);
      await startEncryption(ac);
      await acceptQuery(b);
      await waitStatus(ac, 'encrypted');
      await a.evaluate(() => window.__call!.start());
      await b.evaluate(() => window.__call!.start());
      rows.push(await measure('Chromium, Veil (encrypted)', b, a, ['veil-chromium-bench-alice', 'veil-chromium-bench-bob'], seconds));
    } finally {
      await alice.close();
      await bob.close();
    }
  } finally {
    await site.close();
  }
  const [base, veil] = rows;
  if (base && veil) {
    rows.push({
      bench: 'call',
      setup: 'Veil / no Veil',
      'receiver fps': `${((100 * Number(veil['receiver fps'])) / Number(base['receiver fps'])).toFixed(1)} %`,
      'sender fps': `${((100 * Number(veil['sender fps'])) / Number(base['sender fps'])).toFixed(1)} %`,
      'browser CPU s': `${((100 * Number(veil['browser CPU s'])) / Number(base['browser CPU s']) - 100).toFixed(1)} % more`,
      'CPU ms per received frame': `${((100 * Number(veil['CPU ms per received frame'])) / Number(base['CPU ms per received frame']) - 100).toFixed(1)} % more`,
    });
  }
  return rows;
}

export async function runCallBench(): Promise<Array<Record<string, string | number>>> {
  const seconds = Number(process.env.VEIL_CALL_SECONDS ?? 60);
  const rows = await workerBench();
  rows.push(...(await callBench(Number.isFinite(seconds) && seconds > 0 ? seconds : 60)));
  return rows;
}
