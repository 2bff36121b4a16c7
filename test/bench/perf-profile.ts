/**
 * Sampling profile of the browsers during a measured call window (VEIL_CALL_PROFILE=1): Linux
 * `perf record` over every process of the two browsers' trees. V8 names JavaScript frames when
 * Chromium runs with `--js-flags=--perf-basic-prof` (it writes /tmp/perf-<pid>.map), which the
 * call bench adds to every Chromium of the run when profiling (with and without Veil alike).
 * Debian's Chromium is stripped: native frames are attributed to their library only.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';

export interface PerfSample {
  pid: number;
  /** thread name */
  comm: string;
  dso: string;
  symbol: string;
  samples: number;
}

export interface PerfSession {
  /** Stops recording; returns samples per (pid, thread, library, symbol). */
  stop(): Promise<PerfSample[]>;
}

export const PERF_HZ = 499;

export function perfAvailable(): boolean {
  return spawnSync('perf', ['--version'], { stdio: 'ignore' }).status === 0;
}

export function startPerf(pids: number[], file: string): PerfSession {
  rmSync(file, { force: true });
  const rec = spawn('perf', ['record', '-F', String(PERF_HZ), '-o', file, '-p', pids.join(',')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  rec.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => rec.on('exit', () => resolve()));
  return {
    async stop(): Promise<PerfSample[]> {
      rec.kill('SIGINT');
      await exited;
      if (!existsSync(file)) throw new Error(`perf record wrote nothing: ${stderr.slice(0, 400)}`);
      const out = spawnSync('perf', ['script', '-i', file, '-F', 'comm,pid,tid,ip,sym,dso'], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
      rmSync(file, { force: true });
      return parseScript(out.stdout);
    },
  };
}

/** `perf script` lines: "<thread name> <pid>/<tid> <ip> <symbol> (<library>)", counted per distinct key. */
export function parseScript(text: string): PerfSample[] {
  const counts = new Map<string, PerfSample>();
  for (const line of text.split('\n')) {
    const m = /^\s*(.*?)\s+(\d+)\/(\d+)\s+[0-9a-f]+\s+(.*)$/.exec(line);
    if (!m) continue;
    const rest = m[4] ?? '';
    const open = rest.lastIndexOf(' (');
    const symbol = open >= 0 ? rest.slice(0, open) : rest;
    const dso = open >= 0 ? rest.slice(open + 2, -1) : '';
    const key = `${m[2]}\t${m[1]}\t${dso}\t${symbol}`;
    const hit = counts.get(key);
    if (hit) hit.samples++;
    else counts.set(key, { pid: Number(m[2]), comm: m[1] ?? '', dso, symbol, samples: 1 });
  }
  return [...counts.values()];
}
