/**
 * Code sent to a browser page must not call build helpers: the runner for TypeScript scripts
 * (test/setup/run-ts.mjs) adds none, and the harness refuses a function that has one.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { transform, type TransformOptions } from 'esbuild';
import type { Frame as PlaywrightFrame, Page as PlaywrightPage } from 'playwright-core';
import type { Frame as PuppeteerFrame, Page as PuppeteerPage } from 'puppeteer-core';
import { describe, expect, it, vi } from 'vitest';
import * as chromiumHarness from '../../e2e/harness/chromium';
import * as firefoxHarness from '../../e2e/harness/firefox';
import { checkPageCode, findBuildHelper, PageCodeError } from '../../e2e/harness/page-code';
import { repoRoot } from '../../e2e/harness/paths';
import { waitUntil } from '../../e2e/harness/page';
import { poll } from '../../e2e/text-flow';
import { compileOptions } from '../../setup/ts-hooks.mjs';

/** What tsx passes to esbuild (tsx 4: keepNames and minified whitespace), the demo's old runner. */
const TSX_LIKE: TransformOptions = { loader: 'ts', format: 'cjs', target: 'esnext', keepNames: true, minifyWhitespace: true };

/** The shape of the function that crashed the demo: an inner named arrow inside page code. */
const PAGE_CODE_SOURCE = `
export const settles = async (ms: number): Promise<boolean> => {
  const focused = (): boolean => document.hasFocus();
  for (const end = performance.now() + ms; performance.now() < end; ) if (focused()) return true;
  return false;
};`;

/** Compiles `source` and returns its `settles` export, as Node would hold it. */
async function compiled(source: string, options: TransformOptions): Promise<(ms: number) => Promise<boolean>> {
  const { code } = await transform(source, { ...options, format: 'cjs' });
  const module = { exports: {} as { settles: (ms: number) => Promise<boolean> } };
  // Running compiled test code is the point here (the guard checks what Node would hold).
  // eslint-disable-next-line @typescript-eslint/no-implied-eval, @typescript-eslint/no-unsafe-call
  new Function('module', 'exports', code)(module, module.exports);
  return module.exports.settles;
}

describe('page code guard', () => {
  it('passes a self-contained function through unchanged', () => {
    const fn = (n: number): number => n + 1;
    expect(checkPageCode(fn)).toBe(fn);
  });

  it('refuses what tsx made of page code, naming the caller, the helper and the inner function', async () => {
    const fn = await compiled(PAGE_CODE_SOURCE, TSX_LIKE);
    expect(fn.toString()).toContain('__name(');
    let error: unknown;
    try {
      checkPageCode(fn);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PageCodeError);
    const message = (error as Error).message;
    expect(message).toContain('calls __name');
    expect(message).toContain('"focused"');
    expect(message).toContain('page-code.test.ts'); // the caller: this test
    expect(message).toContain('test/setup/run-ts.mjs');
  });

  it('passes what the project runner makes of the same code', async () => {
    const fn = await compiled(PAGE_CODE_SOURCE, compileOptions('/x/page.ts'));
    expect(fn.toString()).toContain('const focused = ()');
    expect(checkPageCode(fn)).toBe(fn);
  });

  it('knows other helpers: lowered syntax, tslib, the Vite module runner; not page globals', () => {
    expect(findBuildHelper('() => __async(this, null, function* () {})')?.name).toBe('__async');
    expect(findBuildHelper('() => __awaiter(void 0, void 0, void 0, function* () {})')?.name).toBe('__awaiter');
    expect(findBuildHelper('() => __vite_ssr_import_0__.x()')?.name).toBe('__vite_ssr_import_0__');
    expect(findBuildHelper('() => window.__chat.rerender()')).toBeNull();
    expect(findBuildHelper('() => { window.__name = 1; }')).toBeNull();
  });

  // The wrappers the E2E tests, the demo and the benches drive pages through.
  const wrappers = [
    ['Chromium', chromiumHarness.wrapPage as (p: unknown) => { evaluate: (fn: () => unknown) => Promise<unknown> }, chromiumHarness.wrapFrame as (f: unknown) => { evaluate: (fn: () => unknown) => Promise<unknown> }],
    ['Firefox', firefoxHarness.wrapPage as (p: unknown) => { evaluate: (fn: () => unknown) => Promise<unknown> }, firefoxHarness.wrapFrame as (f: unknown) => { evaluate: (fn: () => unknown) => Promise<unknown> }],
  ] as const;

  it.each(wrappers)('%s page and frame wrappers refuse a function with a helper before it reaches the driver', async (_name, wrapPage, wrapFrame) => {
    const bad = await compiled(PAGE_CODE_SOURCE, TSX_LIKE);
    for (const wrap of [wrapPage, wrapFrame]) {
      const driver = { evaluate: vi.fn(async () => 'ran'), frames: () => [], mainFrame: () => null };
      const wrapped = wrap(driver as unknown as PlaywrightPage & PlaywrightFrame & PuppeteerPage & PuppeteerFrame);
      await expect(wrapped.evaluate(bad as unknown as () => unknown)).rejects.toThrow(/calls __name .*"focused"/);
      expect(driver.evaluate).not.toHaveBeenCalled();
      await expect(wrapped.evaluate(() => 1)).resolves.toBe('ran');
      expect(driver.evaluate).toHaveBeenCalledTimes(1);
    }
  });

  it('the retrying helpers fail at once on a refused function instead of timing out', async () => {
    const bad = await compiled(PAGE_CODE_SOURCE, TSX_LIKE);
    const driver = { evaluate: vi.fn(async () => true), frames: () => [], mainFrame: () => null };
    const page = chromiumHarness.wrapPage(driver as unknown as PlaywrightPage);
    const t0 = Date.now();
    await expect(poll('a refused page function', () => page.evaluate(bad as unknown as () => boolean), 60_000)).rejects.toThrow(PageCodeError);
    await expect(waitUntil(page, bad as unknown as () => boolean, { timeoutMs: 60_000 })).rejects.toThrow(PageCodeError);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(driver.evaluate).not.toHaveBeenCalled();
  });
});

describe('TypeScript runner', () => {
  /** Every file whose functions may be sent to a page: E2E helpers and tests, demo, benches, site checks. */
  function pageSenders(): string[] {
    const walk = (dir: string): string[] =>
      readdirSync(dir).flatMap((f) => {
        const p = join(dir, f);
        return statSync(p).isDirectory() ? walk(p) : /\.tsx?$/.test(f) ? [p] : [];
      });
    return ['test/e2e', 'test/demo', 'test/bench', 'test/chat-site/check-browser.ts']
      .map((p) => join(repoRoot, p))
      .flatMap((p) => (statSync(p, { throwIfNoEntry: false })?.isDirectory() ? walk(p) : statSync(p, { throwIfNoEntry: false }) ? [p] : []));
  }

  it('compiles every file that sends page code without any build helper (tsx would not)', async () => {
    const files = pageSenders();
    expect(files.map((f) => relative(repoRoot, f))).toContain('test/e2e/text-flow.ts');
    // page-code.ts names the helpers it looks for.
    for (const file of files.filter((f) => !f.endsWith('page-code.ts'))) {
      const source = readFileSync(file, 'utf8');
      const { code } = await transform(source, compileOptions(file));
      expect(findBuildHelper(code), relative(repoRoot, file)).toBeNull();
    }
    // The check can fail: the demo's old runner put __name into text-flow's page code.
    const tsx = await transform(readFileSync(join(repoRoot, 'test/e2e/text-flow.ts'), 'utf8'), TSX_LIKE);
    expect(tsx.code).toMatch(/const focused=__name\(/);
  });

  it('runs a script whose page code stays as written', () => {
    const out = execFileSync(process.execPath, ['--import', './test/setup/run-ts.mjs', 'test/unit/setup/fixtures/page-fn.ts'], { cwd: repoRoot, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ helper: null, imported: 'test/e2e/harness/page-code' });
  });
});
