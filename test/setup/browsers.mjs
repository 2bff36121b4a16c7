#!/usr/bin/env node
/**
 * The browsers (and fonts) that the demo, the E2E tests and CI drive: Debian's Chromium and
 * Firefox ESR, plus Noto CJK and colour emoji fonts so screenshots show every script. What is
 * missing is installed when that is allowed (root, with apt-get: CI and fresh containers);
 * otherwise this stops at once with the one command to run. No tool ever downloads its own
 * browser. The one place this logic lives: `.ci/run`, `npm test` (test/run-all.mjs), the E2E
 * global setup and `npm run demo` all call it.
 *
 *   node test/setup/browsers.mjs [chromium] [firefox]     (default: both)
 *     --no-install            only check; stop with the command to run if anything is missing
 *     --need <path>=<package> check this file instead (repeatable; for tests)
 * Plain Node, no dependencies: .ci/run runs it before `npm ci`.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const FONTS = [
  { what: 'the Noto CJK fonts', path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', package: 'fonts-noto-cjk' },
  { what: 'the Noto colour emoji font', path: '/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf', package: 'fonts-noto-color-emoji' },
];

/** Where the harness finds each browser, and the Debian package that puts it there. */
export const BROWSERS = {
  chromium: { what: 'Chromium', path: '/usr/bin/chromium', package: 'chromium' },
  firefox: { what: 'Firefox ESR', path: '/usr/bin/firefox-esr', package: 'firefox-esr' },
};

/** What `kinds` need: each browser, and the fonts. */
export function requirementsFor(kinds) {
  return [...kinds.map((k) => BROWSERS[k]), ...FONTS];
}

function present(path) {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** True if `command` (a path, or a name on PATH) is an executable file. */
function executable(command) {
  const candidates = command.includes('/') ? [command] : (process.env.PATH ?? '').split(delimiter).map((d) => join(d, command));
  return candidates.some((c) => {
    try {
      accessSync(c, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The command a person runs when this script may not install. */
export function installCommand(packages) {
  return `sudo apt-get update && sudo apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

function stopMessage(missing, why) {
  const names = missing.map((r) => `${r.what} (${r.path})`).join(', ');
  return (
    `Veil needs ${names}, which ${missing.length === 1 ? 'is' : 'are'} not installed, and ${why}.\n` +
    `Run this once (Debian or Ubuntu), then start again:\n\n  ${installCommand(missing.map((r) => r.package))}\n`
  );
}

/**
 * Checks `requirements` ({ what, path, package }) and installs the missing packages with
 * `aptGet` when `install` allows it. Returns { ok: true, installed } or { ok: false, message }.
 */
export function ensureInstalled({ requirements, install, aptGet = 'apt-get', log = console.log }) {
  const missing = requirements.filter((r) => !present(r.path));
  if (missing.length === 0) return { ok: true, installed: [] };
  const root = process.getuid?.() === 0;
  if (!(install ?? root)) return { ok: false, message: stopMessage(missing, root ? 'installing was turned off here' : 'only root may install software') };
  if (!executable(aptGet)) return { ok: false, message: stopMessage(missing, 'this machine has no apt-get to install them with') };
  const packages = [...new Set(missing.map((r) => r.package))];
  log(`Installing ${packages.join(', ')} with apt-get (Debian's packages; no tool downloads its own browser)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const steps = [
    ['update', '-qq'],
    ['install', '-y', '-qq', '--no-install-recommends', ...packages],
  ];
  for (const args of steps) {
    const r = spawnSync(aptGet, args, { stdio: ['ignore', 'inherit', 'inherit'], env });
    if (r.status !== 0) return { ok: false, message: stopMessage(missing, `"apt-get ${args[0]}" failed (exit ${r.status ?? r.signal})`) };
  }
  const still = missing.filter((r) => !present(r.path));
  if (still.length > 0) return { ok: false, message: stopMessage(still, 'installing the packages did not put them in place') };
  return { ok: true, installed: packages };
}

/** Command-line use; returns the exit code. */
export function main(argv) {
  const kinds = argv.filter((a) => a === 'chromium' || a === 'firefox');
  const needs = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] !== '--need') continue;
    const [path, pkg] = (argv[++i] ?? '').split('=');
    if (!path || !pkg) {
      console.error('--need takes <path>=<package>');
      return 2;
    }
    needs.push({ what: path.split('/').pop(), path, package: pkg });
  }
  const requirements = needs.length > 0 ? needs : requirementsFor(kinds.length > 0 ? kinds : ['chromium', 'firefox']);
  const result = ensureInstalled({ requirements, ...(argv.includes('--no-install') ? { install: false } : {}) });
  if (!result.ok) {
    console.error(result.message);
    return 1;
  }
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exit(main(process.argv.slice(2)));
