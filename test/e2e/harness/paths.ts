import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '../../..');
const outDir = resolve(repoRoot, process.env.VEIL_OUT_DIR ?? '.output');
export const chromeExtensionDir = join(outDir, 'chrome-mv3');
export const firefoxExtensionDir = join(outDir, 'firefox-mv3');
export const artifactsDir = join(repoRoot, 'test-artifacts');

/** A fresh, empty browser profile per launch: no state leaks between Alice, Bob and tests. */
export function freshProfileDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `veil-${label}-`));
}

/** A profile is 40 MB or more: removed when its browser closes, so test runs do not fill /tmp. */
export function removeProfileDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}
