/**
 * Call benchmark, in real browsers:
 *  1. per-frame encrypt/decrypt p50/p99 for 720p and 1080p VP8-sized frames inside a Web Worker
 *     (noble ChaCha20-Poly1305 vs WebCrypto AES-256-GCM): bench/media.ts's loop, bundled with
 *     esbuild and run in a blob worker in headless Chromium and Firefox;
 *  2. calls of VEIL_CALL_SECONDS (default 60) on the chat site's video page between two headless
 *     Chromiums without Veil and two with Veil and an encrypted session, alternating for
 *     VEIL_CALL_ROUNDS rounds (default 2: A B A B) because the shared machine's load drifts.
 *     Both setups use the E2E harness's Chromium flags and viewport; Veil's first-run options
 *     tab is closed (a harness artefact), Veil's frames on the call page stay (a real cost).
 *     Measured: receiver and sender frame rate, CPU of exactly the two browsers' process trees
 *     (/proc, from their root pids), split by process type and thread.
 * Needs the built extension (VEIL_OUT_DIR, default .output) for part 2. Prints nothing; returns rows.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import puppeteer from 'puppeteer-core';
import { startChatSite } from '../chat-site/server';
import { launchVeil, type VeilBrowser } from '../e2e/harness';
import { guardedEvaluator } from '../e2e/harness/page-code';
import { CHROMIUM_ARGS, CHROMIUM_VIEWPORT as VIEWPORT } from '../e2e/harness/chromium';
import { removeProfileDir } from '../e2e/harness/paths';
import { devToolsPort, profileJs, type TargetProfile } from './js-profile';
import { PERF_HZ, startPerf, type PerfSample } from './perf-profile';
import type { Measure } from './targets';
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
  const c = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  try {
    const page = await c.newPage();
    await page.goto(url);
    for (const r of await runInWorker(guardedEvaluator(page), src, iterations)) rows.push({ bench: 'call frame (worker)', browser: 'Chromium 156', ...r });
  } finally {
    await c.close();
  }
  const f = await puppeteer.launch({ browser: 'firefox', executablePath: '/usr/bin/firefox-esr', headless: true });
  try {
    const page = await f.newPage();
    await page.goto(url);
    for (const r of await runInWorker(guardedEvaluator(page), src, iterations)) rows.push({ bench: 'call frame (worker)', browser: 'Firefox ESR', ...r });
  } finally {
    await f.close();
  }
}

export const HZ = 100; // USER_HZ on Linux

interface Proc {
  ppid: number;
  cmd: string;
  ticks: number;
}

function statTicks(path: string): { ppid: number; ticks: number; comm: string } | null {
  try {
    const stat = readFileSync(path, 'utf8');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    // fields[1] = ppid, fields[11] = utime, fields[12] = stime
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]), comm };
  } catch {
    return null;
  }
}

export function processes(): Map<number, Proc> {
  const out = new Map<number, Proc>();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const s = statTicks(`/proc/${pid}/stat`);
    if (!s) continue;
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      continue;
    }
    out.set(Number(pid), { ppid: s.ppid, cmd, ticks: s.ticks });
  }
  return out;
}

/** The browser process (no --type=) started for this profile, and not one that ran before `before`. */
export function browserRoot(marker: string, before: Set<number>): number {
  for (const [pid, p] of processes()) {
    if (before.has(pid) || !p.cmd.includes(marker) || p.cmd.includes('--type=')) continue;
    if (/chrom/i.test(p.cmd.split(' ')[0] ?? '')) return pid;
  }
  throw new Error(`no browser process for ${marker}`);
}

/** What a Chromium process does, from its command line. */
function processClass(cmd: string): string {
  const type = /--type=(\S+)/.exec(cmd)?.[1];
  if (!type) return 'browser';
  if (type === 'renderer') return cmd.includes('--extension-process') ? 'renderer: extension (service worker, Veil frames)' : 'renderer: page';
  if (type === 'utility') return `utility: ${/--utility-sub-type=([\w.]+)/.exec(cmd)?.[1]?.replace(/\.mojom\.\w+$/, '') ?? '?'}`;
  return type;
}

/** Every process of the browsers' trees, with its class (see processClass). */
function treeProcesses(roots: number[]): Map<number, string> {
  const procs = processes();
  const out = new Map<number, string>();
  for (const [pid, p] of procs) {
    for (let q = pid, depth = 0; q > 1 && depth < 64; depth++) {
      if (roots.includes(q)) {
        out.set(pid, processClass(p.cmd));
        break;
      }
      q = procs.get(q)?.ppid ?? 0;
    }
  }
  return out;
}

/** Per-thread CPU ticks of the two browsers' process trees, keyed "process class / thread name". */
export function sample(roots: number[]): Map<string, number> {
  const procs = processes();
  const inTree = (pid: number): boolean => {
    for (let p = pid, depth = 0; p > 1 && depth < 64; depth++) {
      if (roots.includes(p)) return true;
      p = procs.get(p)?.ppid ?? 0;
    }
    return false;
  };
  const out = new Map<string, number>();
  for (const [pid, p] of procs) {
    if (!inTree(pid)) continue;
    const cls = processClass(p.cmd);
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tasks) {
      const t = statTicks(`/proc/${pid}/task/${tid}/stat`);
      if (!t) continue;
      // Per tid: exited threads lose their ticks, so the delta uses the same tids at both ends.
      out.set(`${pid}:${tid}|${cls} / ${t.comm.replace(/\d+$/, '#')}`, t.ticks);
    }
  }
  return out;
}

/** Ticks spent between two samples, by "process class / thread" (and by class with thread '*'). */
export function split(a: Map<string, number>, b: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, t1] of b) {
    const d = t1 - (a.get(k) ?? 0);
    if (d <= 0) continue;
    const name = k.slice(k.indexOf('|') + 1);
    const cls = name.slice(0, name.lastIndexOf(' / '));
    out.set(name, (out.get(name) ?? 0) + d);
    out.set(`${cls} / *`, (out.get(`${cls} / *`) ?? 0) + d);
  }
  return out;
}

interface CallPage {
  evaluate<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R>;
}

async function frameCounts(p: CallPage): Promise<{ decoded: number; sent: number }> {
  const s = await p.evaluate(() => window.__call!.stats());
  return { decoded: s.video.framesDecoded, sent: s.video.framesSent };
}

/** The sender's side of the video: frames captured, encoded, and what libwebrtc limited it by. */
async function senderDetail(p: CallPage): Promise<{ captured: number; encoded: number; limits: Record<string, number>; width: number }> {
  return p.evaluate(async () => {
    const pc = (window.__call as unknown as { pc: RTCPeerConnection }).pc;
    const out = { captured: 0, encoded: 0, limits: {} as Record<string, number>, width: 0 };
    (await pc.getStats()).forEach((s: Record<string, unknown>) => {
      if (s.type === 'media-source' && s.kind === 'video' && typeof s.frames === 'number') out.captured += s.frames;
      if (s.type === 'outbound-rtp' && s.kind === 'video') {
        if (typeof s.framesEncoded === 'number') out.encoded += s.framesEncoded;
        if (typeof s.frameWidth === 'number') out.width = s.frameWidth;
        const d = s.qualityLimitationDurations as Record<string, number> | undefined;
        for (const [k, v] of Object.entries(d ?? {})) out.limits[k] = (out.limits[k] ?? 0) + v;
      }
    });
    return out;
  });
}

export async function waitConnected(p: CallPage): Promise<void> {
  for (let i = 0; i < 180; i++) {
    if (await p.evaluate(() => window.__call?.state === 'connected')) return;
    await sleep(250);
  }
  throw new Error('call did not connect');
}

interface Measured {
  row: Row;
  fps: number;
  cpuMsPerFrame: number;
  cpuPct: number;
  split: Map<string, number>;
  seconds: number;
  /** VEIL_CALL_PROFILE=1: perf samples by "process class / thread / function" */
  profile: Map<string, number> | null;
}

/** VEIL_CALL_PROFILE=perf: Linux perf over the browsers' processes; =js: V8 profiles of their scripts. */
const PROFILE = process.env.VEIL_CALL_PROFILE === 'perf' || process.env.VEIL_CALL_PROFILE === 'js' ? process.env.VEIL_CALL_PROFILE : null;

function userDataDir(pid: number): string {
  const dir = /--user-data-dir=(\S+)/.exec(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '))?.[1];
  if (!dir) throw new Error(`no --user-data-dir for ${pid}`);
  return dir;
}

/** What a profiled JS context is: "page", "media worker", "Veil frame #call", "service worker". */
function contextName(t: TargetProfile): string {
  if (t.type === 'worker') return t.url.startsWith('blob:') ? 'worker (blob)' : `worker ${t.url.replace(/^.*\//, '')}`;
  if (t.type === 'service_worker') return t.url.startsWith('chrome-extension:') ? 'Veil service worker' : 'service worker';
  if (t.url.startsWith('chrome-extension:')) return `Veil frame ${/#(\w+)/.exec(t.url)?.[1] ?? t.url.replace(/^.*\//, '')}`;
  return t.type;
}

/** A readable name for a sampled function: JS frames without their (long) script URLs. */
function functionName(s: PerfSample): string {
  if (s.dso.includes('perf-') && s.dso.endsWith('.map')) {
    // V8's perf map: "JS:*name url:line:col" (or "Builtin:…", "Function:…").
    const m = /^(\w+):[*~^+]?(\S*)\s*(\S*)/.exec(s.symbol);
    if (!m) return `JS ${s.symbol.slice(0, 60)}`;
    const where = (m[3] ?? '').replace(/^.*\//, '').replace(/:\d+:\d+$/, '');
    return `${m[1] === 'JS' ? 'JS' : m[1]} ${m[2] || '(anonymous)'}${where ? ` (${where.slice(0, 40)})` : ''}`;
  }
  const lib = s.dso.replace(/^.*\//, '');
  return lib === 'chromium' ? 'chromium (native, stripped)' : `${lib} ${s.symbol === '[unknown]' ? '' : s.symbol.slice(0, 50)}`.trim();
}

async function measure(label: string, sender: CallPage, receiver: CallPage, roots: number[], seconds: number): Promise<Measured> {
  await waitConnected(receiver);
  await sleep(4000); // let the encoder ramp up
  const classes = PROFILE === 'perf' ? treeProcesses(roots) : null;
  const js = PROFILE === 'js' ? Promise.all(roots.map((r) => profileJs(devToolsPort(userDataDir(r)), (u) => u.includes('/video/'), seconds, process.env.VEIL_CALL_PROFILE_DIR))) : null;
  const perf = classes ? startPerf([...classes.keys()], join(tmpdir(), `veil-bench-${process.pid}.perf`)) : null;
  const c0 = sample(roots);
  const r0 = await frameCounts(receiver);
  const s0 = await frameCounts(sender);
  const d0 = await senderDetail(sender);
  const t0 = Date.now();
  await sleep(seconds * 1000);
  const dt = (Date.now() - t0) / 1000;
  const r1 = await frameCounts(receiver);
  const s1 = await frameCounts(sender);
  const d1 = await senderDetail(sender);
  const limited = Object.entries(d1.limits)
    .map(([k, v]) => [k, v - (d0.limits[k] ?? 0)] as const)
    .filter(([k, v]) => k !== 'none' && v >= 0.5)
    .map(([k, v]) => `${k} ${v.toFixed(0)} s`);
  const parts = split(c0, sample(roots));
  let profile: Map<string, number> | null = null;
  if (js) {
    // Samples in ms; stored as perf-like "samples" at PERF_HZ so both modes print alike.
    profile = new Map();
    for (const t of (await js).flat()) {
      for (const [fn, ms] of t.self) {
        const key = `${contextName(t)} / ${fn}`;
        profile.set(key, (profile.get(key) ?? 0) + (ms * PERF_HZ) / 1000);
      }
    }
  }
  if (perf && classes) {
    profile = new Map();
    for (const x of await perf.stop()) {
      const key = `${classes.get(x.pid) ?? '?'} / ${x.comm.replace(/\d+$/, '#')} / ${functionName(x)}`;
      profile.set(key, (profile.get(key) ?? 0) + x.samples);
    }
  }
  let ticks = 0;
  for (const [k, v] of parts) if (k.endsWith(' / *')) ticks += v;
  const cpu = ticks / HZ;
  const frames = Math.max(1, r1.decoded - r0.decoded);
  const fps = (r1.decoded - r0.decoded) / dt;
  const row: Row = {
    bench: 'call',
    setup: label,
    seconds: Math.round(dt),
    'receiver fps': Math.round(fps * 100) / 100,
    'sender fps': Math.round(((s1.sent - s0.sent) / dt) * 100) / 100,
    'sender captured / encoded fps': `${((d1.captured - d0.captured) / dt).toFixed(1)} / ${((d1.encoded - d0.encoded) / dt).toFixed(1)} (${d1.width} px wide${limited.length ? `, limited: ${limited.join(', ')}` : ''})`,
    'browser CPU s': Math.round(cpu * 100) / 100,
    'CPU % of one core': Math.round((cpu / dt) * 1000) / 10,
    'CPU ms per received frame': Math.round(((1000 * cpu) / frames) * 10) / 10,
  };
  return { row, fps, cpuMsPerFrame: (1000 * cpu) / frames, cpuPct: (100 * cpu) / dt, split: parts, seconds: dt, profile };
}

/**
 * Without Veil: two Chromium instances with the harness's flags and viewport, no extension.
 * `transform` ('pass' | 'copy') makes the page run every frame through its own worker (see
 * test/chat-site/client/bench-transform.ts): the browser's own cost of insertable streams.
 */
async function plainRun(siteUrl: string, room: string, seconds: number, transform: 'pass' | 'copy' | null = null): Promise<Measured> {
  const plain: Array<{ close(): Promise<void>; page: CallPage; root: number }> = [];
  try {
    for (const user of ['p1', 'p2']) {
      const dir = mkdtempSync(join(tmpdir(), `veil-bench-plain-${user}-`));
      const before = new Set(processes().keys());
      const ctx = await chromium.launchPersistentContext(dir, { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS, viewport: VIEWPORT });
      const page = await ctx.newPage();
      const close = async (): Promise<void> => {
        await ctx.close();
        removeProfileDir(dir);
      };
      plain.push({ close, page: guardedEvaluator(page), root: browserRoot(dir, before) });
      await page.goto(`${siteUrl}/video/${room}?user=${user}${transform === null ? '' : `&transform=${transform}`}`);
    }
    await plain[0]!.page.evaluate(() => window.__call!.start());
    await plain[1]!.page.evaluate(() => window.__call!.start());
    const label = transform === null ? 'Chromium, no Veil' : `Chromium, no Veil, page transform "${transform}"`;
    return await measure(label, plain[1]!.page, plain[0]!.page, plain.map((p) => p.root), seconds);
  } finally {
    for (const p of plain) await p.close();
  }
}

/**
 * Closes the options tab that Veil opens on install: a first-run artefact of the harness (a user
 * who has set Veil up does not keep it open during a call). Veil's compose, message and overlay
 * frames on the call page stay: they are what a user has open.
 */
export async function closeWelcomeTab(veil: VeilBrowser): Promise<number> {
  const page = await veil.openExtensionPage('/popup.html');
  try {
    return await page.evaluate(async () => {
      type Tab = { id?: number };
      type Chrome = { extension: { getViews(q: { type: string }): Window[] }; tabs: { getCurrent(cb: (t?: Tab) => void): void; remove(id: number): Promise<void> } };
      const c = (globalThis as unknown as { chrome: Chrome }).chrome;
      let closed = 0;
      for (const v of c.extension.getViews({ type: 'tab' })) {
        if (v.location.pathname !== '/options.html') continue;
        const tab = await new Promise<Tab | undefined>((r) => (v as unknown as { chrome: Chrome }).chrome.tabs.getCurrent(r));
        if (tab?.id !== undefined) {
          await c.tabs.remove(tab.id);
          closed++;
        }
      }
      return closed;
    });
  } finally {
    await page.close();
  }
}

async function veilRun(siteUrl: string, room: string, seconds: number, round: number): Promise<Measured> {
  // With Veil: encrypted session on the video page through Veil's own frames, then the call.
  const before = new Set(processes().keys());
  const names = [`bench-alice${round}`, `bench-bob${round}`];
  const [alice, bob] = await Promise.all(names.map((n) => launchVeil('chromium', n, { enableTestHost: true })));
  try {
    const roots = names.map((n) => browserRoot(`veil-chromium-${n}-`, before));
    await Promise.all([createIdentity(alice!), createIdentity(bob!)]);
    const closed = (await closeWelcomeTab(alice!)) + (await closeWelcomeTab(bob!));
    if (closed !== 2) throw new Error(`expected to close 2 welcome tabs, closed ${closed}`);
    const a = await alice!.newPage(`${siteUrl}/video/${room}?user=alice`);
    const b = await bob!.newPage(`${siteUrl}/video/${room}?user=bob`);
    for (const p of [a, b]) {
      for (let i = 0; i < 80 && !(await p.evaluate(() => document.documentElement.getAttribute('data-veil-content') === 'connected')); i++) await sleep(250);
    }
    const ac = await openCompose(a);
    await startEncryption(ac);
    await acceptQuery(b);
    await waitStatus(ac, 'encrypted');
    await a.evaluate(() => window.__call!.start());
    await b.evaluate(() => window.__call!.start());
    const m = await measure('Chromium, Veil (encrypted)', b, a, roots, seconds);
    // The call really was encrypted end to end during the window: Veil's overlay on both sides says so.
    for (const p of [a, b]) {
      let status = 'none';
      for (const f of await p.frames()) if ((await f.href()).includes('/frame.html#call')) status = await f.evaluate(() => document.querySelector('[data-testid=call-overlay]')?.getAttribute('data-status') ?? 'none');
      if (status !== 'encrypted') throw new Error(`Veil's call overlay says ${status}, not encrypted`);
    }
    return m;
  } finally {
    await alice!.close();
    await bob!.close();
  }
}

const pct = (a: number, b: number): string => `${((100 * a) / b).toFixed(1)} %`;
const more = (a: number, b: number): string => `${((100 * a) / b - 100).toFixed(1)} % more`;

/** VEIL_CALL_PROFILE=1: the hottest functions of one setup (perf samples), ms per received frame. */
function profileRows(label: string, runs: Measured[], top = 40): Row[] {
  const total = new Map<string, number>();
  let frames = 0;
  for (const m of runs) {
    if (!m.profile) continue;
    frames += m.fps * m.seconds;
    for (const [k, v] of m.profile) total.set(k, (total.get(k) ?? 0) + v);
  }
  if (total.size === 0) return [];
  const msPerFrame = (samples: number): number => Math.round((100 * samples * 1000) / PERF_HZ / Math.max(1, frames)) / 100;
  return [...total]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, v]) => ({ bench: 'call profile', setup: label, 'where / function': k, 'ms per received frame': msPerFrame(v) }));
}

/** The top CPU consumers of one setup, as "class / thread: ms per received frame". */
function splitRows(label: string, runs: Measured[]): Row[] {
  const total = new Map<string, number>();
  let frames = 0;
  for (const m of runs) {
    frames += (m.fps * m.seconds);
    for (const [k, v] of m.split) total.set(k, (total.get(k) ?? 0) + v);
  }
  const rows: Row[] = [];
  const sorted = [...total].sort((x, y) => y[1] - x[1]);
  const classes = sorted.filter(([k]) => k.endsWith(' / *'));
  for (const [cls, ticks] of classes) {
    const prefix = cls.slice(0, -1);
    const threads = sorted.filter(([k]) => k.startsWith(prefix) && !k.endsWith(' / *')).slice(0, 8);
    rows.push({
      bench: 'call CPU split',
      setup: label,
      process: cls.slice(0, -4),
      'CPU ms per received frame': Math.round(((10 * ticks * 1000) / HZ / Math.max(1, frames))) / 10,
      'top threads (ms/frame)': threads.map(([k, v]) => `${k.slice(prefix.length)} ${(Math.round((10 * v * 1000) / HZ / Math.max(1, frames)) / 10).toFixed(1)}`).join(', '),
    });
  }
  return rows;
}

/**
 * Alternating rounds (no Veil, page transform, Veil, no Veil, …): the shared machine's load
 * drifts. The page-transform setup (VEIL_CALL_FLOOR=copy|pass|none, default copy) is the floor any
 * insertable-streams E2EE pays in this browser, so Veil's cost splits into the browser's and its own.
 */
async function callBench(seconds: number, rounds: number, floor: 'pass' | 'copy' | null, measure: Measure): Promise<Row[]> {
  const site = await startChatSite();
  const rows: Row[] = [];
  const base: Measured[] = [];
  const floors: Measured[] = [];
  const veil: Measured[] = [];
  const compare = (label: string, round: number | undefined, v: { fps: number; cpuPct: number; cpuMsPerFrame: number }, b: { fps: number; cpuPct: number; cpuMsPerFrame: number }): Row => ({
    bench: 'call',
    setup: label,
    ...(round === undefined ? {} : { round }),
    'receiver fps': pct(v.fps, b.fps),
    'CPU % of one core': more(v.cpuPct, b.cpuPct),
    'CPU ms per received frame': more(v.cpuMsPerFrame, b.cpuMsPerFrame),
  });
  try {
    // VEIL_CALL_SETUPS=veil (or plain,veil …) runs only some setups: for quick profiles while iterating.
    const setups = (process.env.VEIL_CALL_SETUPS ?? 'plain,floor,veil').split(',');
    for (let i = 1; i <= rounds; i++) {
      const b = setups.includes('plain') ? await plainRun(site.url, `bench-plain-${i}`, seconds) : null;
      if (b) {
        base.push(b);
        rows.push({ ...b.row, round: i });
      }
      if (floor !== null && setups.includes('floor')) {
        const f = await plainRun(site.url, `bench-floor-${i}`, seconds, floor);
        floors.push(f);
        rows.push({ ...f.row, round: i });
        if (b) rows.push(compare(`page transform "${floor}" / no Veil`, i, f, b));
      }
      if (setups.includes('veil')) {
        const v = await veilRun(site.url, `bench-veil-${i}`, seconds, i);
        veil.push(v);
        rows.push({ ...v.row, round: i });
        if (b) rows.push(compare('Veil / no Veil', i, v, b));
      }
    }
  } finally {
    await site.close();
  }
  const mean = (xs: Measured[]) => {
    const m = (f: (x: Measured) => number): number => xs.reduce((sum, x) => sum + f(x), 0) / Math.max(1, xs.length);
    return { fps: m((x) => x.fps), cpuPct: m((x) => x.cpuPct), cpuMsPerFrame: m((x) => x.cpuMsPerFrame) };
  };
  if (rounds > 1 && base.length > 0) {
    if (floors.length > 0) rows.push(compare(`page transform "${floor}" / no Veil, mean of ${rounds} rounds`, undefined, mean(floors), mean(base)));
    if (veil.length > 0) rows.push(compare(`Veil / no Veil, mean of ${rounds} rounds`, undefined, mean(veil), mean(base)));
  }
  if (floors.length > 0 && veil.length > 0) {
    rows.push(compare(`Veil / page transform "${floor}"${rounds > 1 ? `, mean of ${rounds} rounds` : ''}`, undefined, mean(veil), mean(floors)));
    if (floor === 'copy') {
      const over = (100 * mean(veil).cpuMsPerFrame) / mean(floors).cpuMsPerFrame - 100;
      const each = veil.map((v, i) => `${((100 * v.cpuMsPerFrame) / floors[i]!.cpuMsPerFrame - 100).toFixed(1)} %`).join(', ');
      measure('call-cpu-chromium', over, `CPU ms per received frame of both browsers, Veil vs the page's copy-only transform, ${rounds} alternating round(s) of ${seconds} s (${each}); 320×240 VP8 + Opus`);
    }
  }
  rows.push(...splitRows('no Veil', base), ...(floor !== null ? splitRows(`page transform "${floor}"`, floors) : []), ...splitRows('Veil', veil));
  rows.push(...profileRows('no Veil', base), ...(floor !== null ? profileRows(`page transform "${floor}"`, floors) : []), ...profileRows('Veil', veil));
  return rows;
}

export async function runCallBench(measure: Measure = () => undefined): Promise<Array<Record<string, string | number>>> {
  const seconds = Number(process.env.VEIL_CALL_SECONDS ?? 60);
  const rounds = Number(process.env.VEIL_CALL_ROUNDS ?? 2);
  // VEIL_CALL_WORKER_BENCH=0 skips the per-frame worker loop (quicker call-only runs).
  const rows = process.env.VEIL_CALL_WORKER_BENCH === '0' ? [] : await workerBench();
  const floorEnv = process.env.VEIL_CALL_FLOOR ?? 'copy';
  const floor = floorEnv === 'pass' || floorEnv === 'copy' ? floorEnv : null;
  rows.push(...(await callBench(Number.isFinite(seconds) && seconds > 0 ? seconds : 60, Number.isInteger(rounds) && rounds > 0 ? rounds : 2, floor, measure)));
  return rows;
}
