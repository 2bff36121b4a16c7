/**
 * The one set-up script for browsers and fonts (test/setup/browsers.mjs): installs what is
 * missing when allowed, else stops with the command to run. Exercised against made-up paths and
 * a stand-in apt-get, so nothing on the machine is installed or removed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BROWSERS, ensureInstalled, requirementsFor } from '../../setup/browsers.mjs';
import { repoRoot } from '../../e2e/harness/paths';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'veil-setup-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in apt-get that logs its arguments and, on install, creates `creates` (if given). */
function fakeAptGet(creates: string[], exitCode = 0): { path: string; calls: () => string[] } {
  const log = join(dir, 'apt.log');
  const path = join(dir, 'apt-get');
  const touch = creates.map((f) => `touch '${f}'`).join('; ');
  writeFileSync(path, `#!/bin/sh\necho "$*" >> '${log}'\n[ "$1" = install ] && { ${touch || ':'}; }\nexit ${exitCode}\n`);
  chmodSync(path, 0o755);
  return { path, calls: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []) };
}

const quiet = (): void => undefined;

describe('browser set-up', () => {
  it('does nothing when everything is there', () => {
    const apt = fakeAptGet([]);
    const r = ensureInstalled({ requirements: [{ what: 'Node', path: process.execPath, package: 'nodejs' }], install: true, aptGet: apt.path, log: quiet });
    expect(r).toEqual({ ok: true, installed: [] });
    expect(apt.calls()).toEqual([]);
  });

  it('stops with the one command to run when it may not install', () => {
    const apt = fakeAptGet([]);
    const r = ensureInstalled({
      requirements: [{ what: 'Chromium', path: join(dir, 'veil-no-such-browser'), package: 'veil-no-such-browser' }],
      install: false,
      aptGet: apt.path,
      log: quiet,
    });
    expect(r.ok).toBe(false);
    const message = r.ok ? '' : r.message;
    expect(message).toContain(`Veil needs Chromium (${join(dir, 'veil-no-such-browser')}), which is not installed`);
    expect(message).toContain('sudo apt-get update && sudo apt-get install -y --no-install-recommends veil-no-such-browser');
    expect(apt.calls()).toEqual([]); // nothing was attempted
  });

  it('installs the missing packages with apt-get when allowed, once each, then checks again', () => {
    const browser = join(dir, 'browser');
    const font = join(dir, 'font.ttf');
    const apt = fakeAptGet([browser, font]);
    const r = ensureInstalled({
      requirements: [
        { what: 'a browser', path: browser, package: 'veil-browser' },
        { what: 'a font', path: font, package: 'veil-font' },
        { what: 'Node', path: process.execPath, package: 'nodejs' },
      ],
      install: true,
      aptGet: apt.path,
      log: quiet,
    });
    expect(r).toEqual({ ok: true, installed: ['veil-browser', 'veil-font'] });
    expect(apt.calls()).toEqual(['update -qq', 'install -y -qq --no-install-recommends veil-browser veil-font']);
  });

  it('says so when apt-get fails or installs nothing usable', () => {
    const failing = fakeAptGet([], 100);
    const r1 = ensureInstalled({ requirements: [{ what: 'a browser', path: join(dir, 'b'), package: 'veil-b' }], install: true, aptGet: failing.path, log: quiet });
    expect(r1.ok ? '' : r1.message).toMatch(/"apt-get update" failed \(exit 100\)[^]*sudo apt-get install -y --no-install-recommends veil-b/);
    const empty = fakeAptGet([]);
    const r2 = ensureInstalled({ requirements: [{ what: 'a browser', path: join(dir, 'c'), package: 'veil-c' }], install: true, aptGet: empty.path, log: quiet });
    expect(r2.ok ? '' : r2.message).toContain('installing the packages did not put them in place');
  });

  it('knows where the harness finds each browser, and that both need the fonts', () => {
    expect(requirementsFor(['firefox']).map((r) => r.package)).toEqual(['firefox-esr', 'fonts-noto-cjk', 'fonts-noto-color-emoji']);
    expect(BROWSERS.chromium.path).toBe('/usr/bin/chromium');
  });

  it('from the command line: exit 1 and the plain-words message on stderr', () => {
    const r = spawnSync(process.execPath, ['test/setup/browsers.mjs', '--no-install', '--need', join(dir, 'veil-no-such-browser') + '=veil-no-such-browser'], { cwd: repoRoot, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`veil-no-such-browser (${join(dir, 'veil-no-such-browser')}), which is not installed, and installing was turned off here`);
    expect(r.stderr).toContain('sudo apt-get install -y --no-install-recommends veil-no-such-browser');
    // The real requirements on this machine (CI installs them before the tests run).
    expect(execFileSync(process.execPath, ['test/setup/browsers.mjs', '--no-install'], { cwd: repoRoot, encoding: 'utf8' })).toBe('');
  });
});
