#!/usr/bin/env node
/**
 * `npm test`: every check CI runs, in order — build, typecheck, lint (ESLint + web-ext lint of the
 * Firefox build), unit tests, a 100,000-input fuzz run, E2E in Chromium, E2E in Firefox.
 * Ends with one summary line "veil: N passed, M failed" (vitest tests + one per other step).
 * Set VEIL_STEPS=unit,e2e-chromium to run a subset.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'test-artifacts');
mkdirSync(out, { recursive: true });

const vitest = (project, file, env = {}) => ({
  cmd: ['npx', 'vitest', 'run', '--project', project, '--reporter=default', '--reporter=json', `--outputFile.json=${join(out, file)}`],
  env,
  json: join(out, file),
});

const steps = [
  ['build', { cmd: ['npm', 'run', 'build'] }],
  ['typecheck', { cmd: ['npx', 'tsc', '--noEmit'] }],
  ['lint', { cmd: ['npm', 'run', 'lint'] }],
  ['unit', vitest('unit', 'unit.json')],
  ['fuzz', { cmd: ['node', '--import', 'tsx', 'test/fuzz/run.ts', process.env.VEIL_FUZZ_ITERATIONS ?? '100000'] }],
  ['e2e-chromium', vitest('e2e', 'e2e-chromium.json', { VEIL_BROWSERS: 'chromium', VEIL_SKIP_BUILD: '1' })],
  ['e2e-firefox', vitest('e2e', 'e2e-firefox.json', { VEIL_BROWSERS: 'firefox', VEIL_SKIP_BUILD: '1' })],
];

const only = process.env.VEIL_STEPS?.split(',');
let passed = 0;
let failed = 0;
const table = [];
for (const [name, step] of steps) {
  if (only && !only.includes(name)) continue;
  const t0 = Date.now();
  console.log(`\n=== ${name}: ${step.cmd.join(' ')}`);
  const r = spawnSync(step.cmd[0], step.cmd.slice(1), { cwd: root, stdio: 'inherit', env: { ...process.env, ...step.env } });
  const ok = r.status === 0;
  let detail = ok ? 'ok' : `exit ${r.status ?? r.signal}`;
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
  table.push(`${name.padEnd(14)} ${((Date.now() - t0) / 1000).toFixed(1).padStart(7)} s  ${detail}`);
}
console.log('\n' + table.join('\n'));
console.log(`veil: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
