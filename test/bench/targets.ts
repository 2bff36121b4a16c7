/**
 * Issue #13's targets ("fast where users feel it"), each printed by `npm run bench` beside what
 * the same run measured. A section reports a measurement with `measure(id, value, detail)`; a
 * target whose section did not run (VEIL_BENCH) or failed says so. Ratios are measured within the
 * run (Veil and its baseline side by side), never against numbers from another run.
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';

export type TargetId =
  | 'history-first-open'
  | 'history-reopen'
  | 'cache-insert'
  | 'cache-overhead'
  | 'keyring-trips'
  | 'call-cpu-chromium'
  | 'call-cpu-firefox'
  | 'key-agreement-initiator'
  | 'key-agreement-responder';

type Unit = 'ratio' | 'ms' | 'bytes' | 'count' | 'percent';

interface Target {
  id: TargetId;
  what: string;
  /** At most this much; null: measured and written, no target of its own. */
  limit: number | null;
  unit: Unit;
  section: string;
}

export const TARGETS: readonly Target[] = [
  { id: 'history-first-open', what: 'history, first opening (1,000 messages): on-screen plaintext / the page\'s own render', limit: 1.5, unit: 'ratio', section: 'text-history' },
  { id: 'history-reopen', what: 'history, re-opening the room: on-screen plaintext / the page\'s own render', limit: 1.1, unit: 'ratio', section: 'text-history' },
  { id: 'cache-insert', what: 'plaintext cache: insert, amortized over 10,000 messages', limit: 0.2, unit: 'ms', section: 'keyring' },
  { id: 'cache-overhead', what: 'plaintext cache: storage overhead per message', limit: 1024, unit: 'bytes', section: 'keyring' },
  { id: 'keyring-trips', what: 'keyring round trips per incoming message', limit: 2, unit: 'count', section: 'keyring' },
  { id: 'call-cpu-chromium', what: 'call CPU over the copy-only floor, Chromium', limit: 3, unit: 'percent', section: 'calls' },
  { id: 'call-cpu-firefox', what: 'call CPU over the copy-only floor, Firefox (measured the same way)', limit: null, unit: 'percent', section: 'calls' },
  { id: 'key-agreement-initiator', what: 'key agreement, initiator: CPU per side (p50)', limit: 5, unit: 'ms', section: 'protocol' },
  { id: 'key-agreement-responder', what: 'key agreement, responder: CPU per side (p50)', limit: 5, unit: 'ms', section: 'protocol' },
];

export type Measure = (id: TargetId, value: number, detail?: string) => void;

export interface Measurement {
  value: number;
  detail: string;
}

function show(value: number, unit: Unit): string {
  switch (unit) {
    case 'ratio':
      return `${value.toFixed(2)}×`;
    case 'ms':
      return `${value < 1 ? value.toFixed(3) : value.toFixed(2)} ms`;
    case 'bytes':
      return `${Math.round(value)} B`;
    case 'count':
      return value.toFixed(value % 1 === 0 ? 0 : 1);
    case 'percent':
      return `${value >= 0 ? '+' : ''}${value.toFixed(1)} %`;
  }
}

/** One row per target: what, target, measured, met or not, and how it was measured. */
export function targetRows(measured: ReadonlyMap<TargetId, Measurement>, ran: ReadonlyMap<string, 'ok' | 'failed'>): Array<Record<string, string>> {
  return TARGETS.map((t) => {
    const m = measured.get(t.id);
    const state = ran.get(t.section);
    const target = t.limit === null ? '—' : `≤ ${show(t.limit, t.unit)}`;
    if (!m) {
      const why = state === 'failed' ? `not measured: section ${t.section} failed` : state === 'ok' ? 'not measured' : `not measured in this run (section ${t.section} not selected)`;
      return { target: t.what, limit: target, measured: '—', met: why, how: '' };
    }
    const met = t.limit === null ? 'no target (written for comparison)' : m.value <= t.limit ? 'met' : 'NOT MET';
    return { target: t.what, limit: target, measured: show(m.value, t.unit), met, how: m.detail };
  });
}

function version(cmd: string): string {
  try {
    return execFileSync(cmd, ['--version'], { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return `${cmd}: not found`;
  }
}

/** The machine a run measured, with its load (the machine may be shared). */
export function machineLine(): string {
  const cpu = cpus();
  const load = loadavg().map((x) => x.toFixed(1)).join(' ');
  return `${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${version('/usr/bin/chromium')}, ${version('/usr/bin/firefox-esr')}; load average ${load}`;
}
