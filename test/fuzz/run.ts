// Fuzz runner: node --import ./test/setup/run-ts.mjs test/fuzz/run.ts <iterations> [seed]
// Loads every targets-*.ts next to this file, mutates each target's seeds with a deterministic
// PRNG, counts escaped exceptions as failures, prints the first failing input per target (hex)
// and exits non-zero on any failure. Same iterations + seed = same inputs.
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Prng, mutate } from './mutate.ts';

interface FuzzTarget {
  name: string;
  seeds: () => Uint8Array[];
  run: (input: Uint8Array) => void;
}

const MAX_POOL = 256;

function isTarget(t: unknown): t is FuzzTarget {
  const o = t as Partial<FuzzTarget> | null;
  return typeof o === 'object' && o !== null && typeof o.name === 'string' && typeof o.seeds === 'function' && typeof o.run === 'function';
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

async function loadTargets(): Promise<FuzzTarget[]> {
  const dir = dirname(fileURLToPath(import.meta.url));
  const files = (await readdir(dir)).filter((f) => /^targets-.+\.ts$/.test(f)).sort();
  const targets: FuzzTarget[] = [];
  for (const file of files) {
    const mod = (await import(pathToFileURL(join(dir, file)).href)) as { targets?: unknown };
    if (!Array.isArray(mod.targets)) throw new Error(`${file} does not export a targets array`);
    for (const t of mod.targets) {
      if (!isTarget(t)) throw new Error(`${file} exports a malformed target`);
      targets.push(t);
    }
  }
  return targets;
}

interface TargetReport {
  name: string;
  inputs: number;
  failures: number;
  firstFailure: { input: Uint8Array; error: string } | null;
  ms: number;
}

function fuzzTarget(target: FuzzTarget, iterations: number, seed: number): TargetReport {
  const report: TargetReport = { name: target.name, inputs: 0, failures: 0, firstFailure: null, ms: 0 };
  const started = performance.now();
  const attempt = (input: Uint8Array): boolean => {
    report.inputs++;
    try {
      target.run(input);
      return true;
    } catch (e) {
      report.failures++;
      report.firstFailure ??= { input, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
      return false;
    }
  };
  let seeds: Uint8Array[];
  try {
    seeds = target.seeds();
  } catch (e) {
    report.failures++;
    report.firstFailure = { input: new Uint8Array(0), error: `seeds() threw: ${String(e)}` };
    return report;
  }
  const pool = seeds.length > 0 ? seeds.slice(0, MAX_POOL) : [new Uint8Array(0)];
  // Each target gets its own stream so adding a target does not change another's inputs.
  let h = seed >>> 0;
  for (let i = 0; i < target.name.length; i++) h = Math.imul(h ^ target.name.charCodeAt(i), 0x01000193) >>> 0;
  const rng = new Prng(h);
  for (const s of pool) {
    if (report.inputs >= iterations) break;
    attempt(s);
  }
  while (report.inputs < iterations) {
    const base = pool[rng.below(pool.length)] as Uint8Array;
    const other = pool[rng.below(pool.length)] as Uint8Array;
    const input = mutate(base, rng, other);
    // Keep some passing mutants so later mutations build on them and reach deeper states.
    if (attempt(input) && rng.below(16) === 0) {
      if (pool.length < MAX_POOL) pool.push(input);
      else pool[seeds.length + rng.below(MAX_POOL - seeds.length)] = input;
    }
  }
  report.ms = performance.now() - started;
  return report;
}

async function main(): Promise<number> {
  const iterations = Number(process.argv[2] ?? '10000');
  const seed = Number(process.argv[3] ?? '1');
  if (!Number.isSafeInteger(iterations) || iterations < 0 || !Number.isSafeInteger(seed)) {
    console.error('usage: node --import ./test/setup/run-ts.mjs test/fuzz/run.ts <iterations> [seed]');
    return 2;
  }
  const targets = await loadTargets();
  if (targets.length === 0) {
    console.error('fuzz: no targets found');
    return 2;
  }
  const started = performance.now();
  let inputs = 0;
  let failures = 0;
  targets.forEach((target, i) => {
    const share = Math.floor(iterations / targets.length) + (i < iterations % targets.length ? 1 : 0);
    const r = fuzzTarget(target, share, seed);
    inputs += r.inputs;
    failures += r.failures;
    console.log(`  ${r.name}: ${r.inputs} inputs, ${r.failures} failures, ${(r.ms / 1000).toFixed(1)} s`);
    if (r.firstFailure) {
      console.log(`    first failure: ${r.firstFailure.error}`);
      console.log(`    input (${r.firstFailure.input.length} bytes): ${hex(r.firstFailure.input)}`);
    }
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`fuzz: ${inputs} inputs, ${failures} failures (${targets.length} targets, seed ${seed}, ${seconds} s)`);
  return failures > 0 ? 1 : 0;
}

process.exitCode = await main();
