/**
 * `npm run bench`: every benchmark, printed as tables with the machine they ran on, then issue
 * #13's targets beside what this run measured (targets.ts).
 * Sections: protocol, group, keyring, media (Node), and — when present — the browser benchmarks
 * (text history, calls), which launch real browsers with the built extension.
 * VEIL_BENCH=protocol,keyring selects sections. On a shared machine, VEIL_BENCH_LOCK=<file> takes
 * that flock(1) lock around each browser section only (not the whole run).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { machineLine, targetRows, type Measure, type Measurement, type TargetId } from './targets.ts';

type Row = Record<string, string | number>;
type Section = { name: string; file: string; fn: string; browsers?: true };

const sections: Section[] = [
  { name: 'protocol', file: './protocol.ts', fn: 'runProtocolBench' },
  { name: 'group', file: './group.ts', fn: 'runGroupBench' },
  { name: 'keyring', file: './keyring.ts', fn: 'runKeyringBench' },
  { name: 'media', file: './media.ts', fn: 'runMediaBench' },
  { name: 'text-history', file: './text-history.ts', fn: 'runTextHistoryBench', browsers: true },
  { name: 'calls', file: './calls.ts', fn: 'runCallBench', browsers: true },
];

function printTable(rows: Row[]): void {
  if (rows.length === 0) return console.log('(no rows)');
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '').length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(width[i]!)).join(' | ') + ' |';
  console.log(line(cols));
  console.log('| ' + width.map((w) => '-'.repeat(w)).join(' | ') + ' |');
  for (const r of rows) console.log(line(cols.map((c) => String(r[c] ?? ''))));
}

// Call profiles (test/bench/calls.ts), in every Chromium of the run alike: VEIL_CALL_PROFILE=perf has
// V8 name JavaScript frames for Linux perf; =js opens the DevTools port for V8's own profiler.
const profileFlag = { perf: '--js-flags=--perf-basic-prof', js: '--remote-debugging-port=0' }[process.env.VEIL_CALL_PROFILE ?? ''];
if (profileFlag) process.env.VEIL_CHROMIUM_ARGS = `${process.env.VEIL_CHROMIUM_ARGS ?? ''} ${profileFlag}`.trim();
/** Holds `file`'s flock(1) lock until release() (a child `flock` holding it while its stdin is open). */
async function lock(file: string): Promise<{ release(): void }> {
  const child = spawn('flock', [file, 'sh', '-c', 'echo locked; exec cat'], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`flock ${file} exited with ${String(code)}`)));
  });
  return { release: () => child.stdin.end() };
}

const only = process.env.VEIL_BENCH?.split(',');
const lockFile = process.env.VEIL_BENCH_LOCK;
console.log(`# Veil benchmarks — ${new Date().toISOString()}`);
console.log(`machine: ${machineLine()}\n`);
const measured = new Map<TargetId, Measurement>();
const measure: Measure = (id, value, detail = '') => measured.set(id, { value, detail });
const ran = new Map<string, 'ok' | 'failed'>();
let failed = false;
for (const s of sections) {
  if (only && !only.includes(s.name)) continue;
  const path = new URL(s.file, import.meta.url);
  if (!existsSync(path)) {
    console.log(`## ${s.name}\n(not available: ${s.file} missing)\n`);
    continue;
  }
  console.log(`## ${s.name}`);
  const held = s.browsers && lockFile ? await lock(lockFile) : null;
  try {
    const mod = (await import(path.href)) as Record<string, (m: Measure) => Promise<Row[]>>;
    const t0 = performance.now();
    printTable(await mod[s.fn]!(measure));
    console.log(`(${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
    ran.set(s.name, 'ok');
  } catch (e) {
    failed = true;
    ran.set(s.name, 'failed');
    console.log(`FAILED: ${e instanceof Error ? e.stack : String(e)}\n`);
  } finally {
    held?.release();
  }
}
console.log('## issue #13 targets, measured in this run');
console.log(`machine: ${machineLine()}`);
printTable(targetRows(measured, ran));
process.exit(failed ? 1 : 0);
