#!/usr/bin/env node
/**
 * `npm test`: every check CI runs — build, typecheck, lint (ESLint + web-ext lint of the Firefox
 * build), unit tests, a 100,000-input fuzz run, then E2E in Chromium and E2E in Firefox.
 * The two E2E steps run at the same time (each drives its own browsers and chat server; on two
 * cores most of their time is spent waiting on the browsers); VEIL_E2E_SERIAL=1 runs them one
 * after the other. Ends with one summary line "veil: N passed, M failed" (vitest tests + one per
 * other step). VEIL_STEPS=unit,e2e-chromium runs a subset.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'test-artifacts');
mkdirSync(out, { recursive: true });

const vitest = (project, file, env = {}) => ({
  cmd: ['npx', 'vitest', 'run', '--project', project, '--reporter=default', '--reporter=json', `--outputFile.json=${join(out, file)}`],
  env,
  json: join(out, file),
});

/** Groups run in order; the steps of one group run at the same time. */
const groups = [
  [['build', { cmd: ['npm', 'run', 'build'] }]],
  [['typecheck', { cmd: ['npx', 'tsc', '--noEmit'] }]],
  [['lint', { cmd: ['npm', 'run', 'lint'] }]],
  [['unit', vitest('unit', 'unit.json')]],
  [['fuzz', { cmd: ['node', '--import', 'tsx', 'test/fuzz/run.ts', process.env.VEIL_FUZZ_ITERATIONS ?? '100000'] }]],
  [
    ['e2e-chromium', vitest('e2e', 'e2e-chromium.json', { VEIL_BROWSERS: 'chromium', VEIL_SKIP_BUILD: '1' })],
    ['e2e-firefox', vitest('e2e', 'e2e-firefox.json', { VEIL_BROWSERS: 'firefox', VEIL_SKIP_BUILD: '1' })],
  ],
];

const only = process.env.VEIL_STEPS?.split(',');
const serial = process.env.VEIL_E2E_SERIAL === '1';

/** Runs one step; with `prefix`, its output lines are prefixed so concurrent steps stay readable. */
function run(name, step, prefix) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    console.log(`\n=== ${name}: ${step.cmd.join(' ')}`);
    const child = spawn(step.cmd[0], step.cmd.slice(1), {
      cwd: root,
      stdio: prefix ? ['ignore', 'pipe', 'pipe'] : 'inherit',
      env: { ...process.env, ...step.env, ...(prefix ? { FORCE_COLOR: '0', NO_COLOR: '1' } : {}) },
    });
    if (prefix) {
      for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on('line', (l) => console.log(`[${name}] ${l}`));
    }
    child.on('close', (code, signal) => resolve({ name, step, ok: code === 0, status: code ?? signal, seconds: (Date.now() - t0) / 1000 }));
  });
}

let passed = 0;
let failed = 0;
const table = [];
function record({ name, step, ok, status, seconds }) {
  let detail = ok ? 'ok' : `exit ${status}`;
  if (step.json) {
    try {
      const j = JSON.parse(readFileSync(step.json, 'utf8'));
      passed += j.numPassedTests;
      failed += j.numFailedTests + (ok || j.numFailedTests > 0 ? 0 : 1);
      detail += ` (${j.numPassedTests} passed, ${j.numFailedTests} failed, ${j.numPendingTests} skipped)`;
    } catch {
      failed += 1;
      detail += ' (no report)';
    }
  } else if (ok) passed += 1;
  else failed += 1;
  table.push(`${name.padEnd(14)} ${seconds.toFixed(1).padStart(7)} s  ${detail}`);
}

const t0 = Date.now();
for (const group of groups) {
  const steps = group.filter(([name]) => !only || only.includes(name));
  if (steps.length > 1 && !serial) {
    for (const r of await Promise.all(steps.map(([name, step]) => run(name, step, true)))) record(r);
  } else {
    for (const [name, step] of steps) record(await run(name, step, false));
  }
}
console.log('\n' + table.join('\n'));
console.log(`total          ${((Date.now() - t0) / 1000).toFixed(1).padStart(7)} s`);
console.log(`veil: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
