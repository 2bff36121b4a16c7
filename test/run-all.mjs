#!/usr/bin/env node
/**
 * `npm test`: every check CI runs — build, typecheck, lint (ESLint + web-ext lint of the Firefox
 * build), unit tests, a 100,000-input fuzz run, the README's main command (`npm run demo`) in
 * Chromium and then in Firefox, then E2E: the text, keyring and foundation tests in Chromium and
 * in Firefox at the same time (each drives its own browsers and chat server; they retry once on
 * failure and hold up under load), then the call tests alone, one browser after the other,
 * because they compare frame rates with and without Veil and a loaded machine skews that.
 * Before anything, the browsers the chosen steps drive are checked, and installed when allowed
 * (test/setup/browsers.mjs); if they cannot be, the run stops at once with the command to run.
 * VEIL_E2E_SERIAL=1 runs every step one after the other. Ends with one summary line
 * "veil: N passed, M failed" (vitest tests + one per other step). VEIL_STEPS=unit,e2e-chromium
 * runs a subset (step names: build typecheck lint unit fuzz demo-chromium demo-firefox
 * e2e-chromium e2e-firefox e2e-chromium-calls e2e-firefox-calls).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ensureInstalled, requirementsFor } from './setup/browsers.mjs';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'test-artifacts');
mkdirSync(out, { recursive: true });

const vitest = (project, file, env = {}, files = []) => ({
  cmd: ['npx', 'vitest', 'run', '--project', project, '--reporter=default', '--reporter=json', `--outputFile.json=${join(out, file)}`, ...files],
  env,
  json: join(out, file),
});

// Call tests compare frame rates with and without Veil: they run alone, after the text tests.
const e2eFiles = readdirSync(join(root, 'test/e2e')).filter((f) => f.endsWith('.test.ts')).sort();
const callFiles = e2eFiles.filter((f) => f.startsWith('call-')).map((f) => `test/e2e/${f}`);
const otherFiles = e2eFiles.filter((f) => !f.startsWith('call-')).map((f) => `test/e2e/${f}`);
const e2e = (browser, part, files) => ({
  ...vitest('e2e', `e2e-${browser}-${part}.json`, { VEIL_BROWSERS: browser, VEIL_SKIP_BUILD: '1' }, files),
  browsers: [browser],
});
// TypeScript scripts run through the project's runner (no build helpers in page code).
const ts = (script, ...args) => ['node', '--import', './test/setup/run-ts.mjs', script, ...args];
const demo = (browser) => ({ cmd: ts('test/demo/main.ts'), env: { VEIL_DEMO_BROWSER: browser, VEIL_SKIP_BUILD: '1' }, browsers: [browser] });

/** Groups run in order; the steps of one group run at the same time. */
const groups = [
  [['build', { cmd: ['npm', 'run', 'build'] }]],
  [['typecheck', { cmd: ['npx', 'tsc', '--noEmit'] }]],
  [['lint', { cmd: ['npm', 'run', 'lint'] }]],
  [['unit', vitest('unit', 'unit.json')]],
  [['fuzz', { cmd: ts('test/fuzz/run.ts', process.env.VEIL_FUZZ_ITERATIONS ?? '100000') }]],
  // The README's first command, as a person runs it (alone: it has no retry, unlike the E2E tests).
  [['demo-chromium', demo('chromium')]],
  [['demo-firefox', demo('firefox')]],
  [
    ['e2e-chromium', e2e('chromium', 'text', otherFiles)],
    ['e2e-firefox', e2e('firefox', 'text', otherFiles)],
  ],
  [['e2e-chromium-calls', e2e('chromium', 'calls', callFiles)]],
  [['e2e-firefox-calls', e2e('firefox', 'calls', callFiles)]],
];

const only = process.env.VEIL_STEPS?.split(',');
const serial = process.env.VEIL_E2E_SERIAL === '1';
const chosen = groups.map((group) => group.filter(([name]) => !only || only.includes(name))).filter((group) => group.length > 0);

// The browsers the chosen steps drive: installed now (when allowed), or the run stops here.
const browsers = [...new Set(chosen.flat().flatMap(([, step]) => step.browsers ?? []))];
if (browsers.length > 0) {
  const ready = ensureInstalled({ requirements: requirementsFor(browsers) });
  if (!ready.ok) {
    console.error(ready.message);
    console.log('veil: 0 passed, 1 failed');
    process.exit(1);
  }
}

/**
 * CI shows only the tail of the output: every "FAIL <test>" line vitest prints (tests and failed
 * hooks alike, which its JSON report leaves out) is kept with the first error line after it and
 * repeated at the end.
 */
const failures = [];
function failureWatcher(name) {
  // vitest lists several FAIL lines above one error when they failed the same way.
  let pending = [];
  return (raw) => {
    // eslint-disable-next-line no-control-regex -- strips the terminal colour codes vitest prints
    const line = raw.replace(/\x1b\[[0-9;]*m/g, '').trim();
    if (/^FAIL\s/.test(line)) pending.push(line.replace(/^FAIL\s+/, ''));
    else if (pending.length > 0 && /(Error|error:|timed out|Timeout)/.test(line)) {
      for (const test of pending) {
        const entry = `${name}: ${test} :: ${line.slice(0, 240)}`;
        if (!failures.includes(entry)) failures.push(entry);
      }
      pending = [];
    }
  };
}

/** Runs one step; with `prefix`, its output lines are prefixed so concurrent steps stay readable. */
function run(name, step, prefix) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    console.log(`\n=== ${name}: ${step.cmd.join(' ')}`);
    const child = spawn(step.cmd[0], step.cmd.slice(1), {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...step.env, ...(prefix ? { FORCE_COLOR: '0', NO_COLOR: '1' } : { FORCE_COLOR: '1' }) },
    });
    const watch = failureWatcher(name);
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (l) => {
        watch(l);
        console.log(prefix ? `[${name}] ${l}` : l);
      });
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
for (const steps of chosen) {
  if (steps.length > 1 && !serial) {
    for (const r of await Promise.all(steps.map(([name, step]) => run(name, step, true)))) record(r);
  } else {
    for (const [name, step] of steps) record(await run(name, step, false));
  }
}
if (failures.length > 0) console.log(`\nfailures (each failed test or hook, with its first error line):\n${failures.slice(0, 40).join('\n')}`);
console.log('\n' + table.join('\n'));
console.log(`total          ${((Date.now() - t0) / 1000).toFixed(1).padStart(7)} s`);
console.log(`veil: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
