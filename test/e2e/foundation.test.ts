/**
 * Foundation: in each real browser the built extension loads, its background answers, the popup
 * renders, the content script on an enabled site reaches the background, the main-world script
 * runs before the page's own scripts, and nothing runs on a site the user did not enable.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDir, browsersUnderTest, launchVeil, waitUntil, type DrivenPage, type VeilBrowser } from './harness';
import { startFixtureServer } from './harness/fixture-server';

interface StatusValue {
  version: string;
  backgroundStartedAt: number;
  enabledOrigins: string[];
}

/** Ask the background for its status the way the popup does (raw runtime message). */
function backgroundStatus(page: DrivenPage): Promise<{ ok: boolean; value?: StatusValue }> {
  return page.evaluate(async () => {
    type Runtime = { sendMessage(m: unknown): Promise<unknown> };
    const g = globalThis as unknown as { browser?: { runtime: Runtime }; chrome: { runtime: Runtime } };
    const rt = (g.browser ?? g.chrome).runtime;
    const reply = (await rt.sendMessage({ id: 1, type: 'page:status', timestamp: Date.now() })) as { res: { ok: boolean; value?: StatusValue } };
    return reply.res;
  });
}

describe.each(browsersUnderTest())('foundation in %s', (kind) => {
  let veil: VeilBrowser;
  let fixture: Awaited<ReturnType<typeof startFixtureServer>>;

  beforeAll(async () => {
    fixture = await startFixtureServer();
    veil = await launchVeil(kind, 'alice', { enableTestHost: true });
    mkdirSync(artifactsDir, { recursive: true });
  });
  afterAll(async () => {
    await veil?.close();
    await fixture?.close();
  });

  it('starts the background and renders the popup', async () => {
    const popup = await veil.openExtensionPage('/popup.html');
    await popup.waitFor('[data-testid=bg-status]');
    expect(await popup.text('[data-testid=bg-status]')).toContain('background up');
    expect(await popup.text('[data-testid=enabled-sites]')).toContain('http://127.0.0.1/*');
    const status = await backgroundStatus(popup);
    expect(status.ok).toBe(true);
    expect(status.value?.enabledOrigins).toEqual(['http://127.0.0.1/*']);
    await popup.screenshot(join(artifactsDir, `${kind}-popup-foundation.png`));
    await popup.close();
  });

  it('runs the main-world script before the page and connects the content script', async () => {
    const page = await veil.newPage(`http://127.0.0.1:${fixture.port}/hook-order`);
    const state = await waitUntil(page, () => document.documentElement.getAttribute('data-veil-content'), {
      what: 'content script hello',
    });
    expect(state).toBe('connected');
    const hookBefore = await page.evaluate(() => (window as unknown as { __hookBeforePage: string | null }).__hookBeforePage);
    expect(hookBefore).not.toBeNull();
    await page.close();
  });

  it('does not run on a site the user did not enable', async () => {
    // Same server, other host name: not covered by the 127.0.0.1 grant.
    const page = await veil.newPage(`http://localhost:${fixture.port}/hook-order`);
    await new Promise((r) => setTimeout(r, 1500));
    const attrs = await page.evaluate(() => [
      document.documentElement.getAttribute('data-veil-hook'),
      document.documentElement.getAttribute('data-veil-content'),
    ]);
    expect(attrs).toEqual([null, null]);
    await page.close();
  });

  it('survives the background being stopped', async () => {
    const popup = await veil.openExtensionPage('/popup.html');
    await popup.waitFor('[data-testid=bg-status]');
    const before = await backgroundStatus(popup);
    await veil.stopBackground();
    const after = await backgroundStatus(popup);
    expect(after.ok).toBe(true);
    expect(after.value!.backgroundStartedAt).toBeGreaterThan(before.value!.backgroundStartedAt);
    // Registered content scripts persist across the restart.
    const page = await veil.newPage(`http://127.0.0.1:${fixture.port}/hook-order`);
    expect(await waitUntil(page, () => document.documentElement.getAttribute('data-veil-content'))).toBe('connected');
    await popup.close();
    await page.close();
  });
});
