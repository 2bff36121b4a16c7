/**
 * `npm run bench`: every benchmark, printed as tables with the machine they ran on.
 * Sections: protocol, group, keyring, media (Node), and — when present — the browser benchmarks
 * (text history, calls), which launch real browsers with the built extension.
 * VEIL_BENCH=protocol,keyring selects sections.
 */
import { cpus, totalmem } from 'node:os';
import { existsSync } from 'node:fs';

type Row = Record<string, string | number>;
type Section = { name: string; file: string; fn: string };

const sections: Section[] = [
  { name: 'protocol', file: './protocol.ts', fn: 'runProtocolBench' },
  { name: 'group', file: './group.ts', fn: 'runGroupBench' },
  { name: 'keyring', file: './keyring.ts', fn: 'runKeyringBench' },
  { name: 'media', file: './media.ts', fn: 'runMediaBench' },
  { name: 'text-history', file: './text-history.ts', fn: 'runTextHistoryBench' },
  { name: 'calls', file: './calls.ts', fn: 'runCallBench' },
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
const only = process.env.VEIL_BENCH?.split(',');
console.log(`# Veil benchmarks — ${new Date().toISOString()}`);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}\n`);
let failed = false;
for (const s of sections) {
  if (only && !only.includes(s.name)) continue;
  const path = new URL(s.file, import.meta.url);
  if (!existsSync(path)) {
    console.log(`## ${s.name}\n(not available: ${s.file} missing)\n`);
    continue;
  }
  console.log(`## ${s.name}`);
  try {
    const mod = (await import(path.href)) as Record<string, () => Promise<Row[]>>;
    const t0 = performance.now();
    printTable(await mod[s.fn]!());
    console.log(`(${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
  } catch (e) {
    failed = true;
    console.log(`FAILED: ${e instanceof Error ? e.stack : String(e)}\n`);
  }
}
process.exit(failed ? 1 : 0);
