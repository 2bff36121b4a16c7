/**
 * Keyring through the real popup and settings pages in each browser: first run, passphrase,
 * lock/unlock (and a wrong passphrase), settings, and a backup exported in Alice's profile and
 * imported into Bob's fresh profile, where his identity is replaced only with the explicit box.
 * Contact verification needs a real chat session: it is covered by unit tests and by the text E2E.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDir, browsersUnderTest, launchVeil, waitUntil, type DrivenPage, type VeilBrowser } from './harness';

const PASS = 'correct horse battery staple';
const BACKUP_PASS = 'backup only passphrase 42';
const FINGERPRINT = /^[0-9a-f]{4}( [0-9a-f]{4}){9}$/;

/** Sets a (preact-controlled) input's value the way typing would, replacing what was there. */
function fill(page: DrivenPage, selector: string, value: string): Promise<void> {
  return page.evaluate(
    ({ selector, value }) => {
      const el = document.querySelector(selector) as HTMLInputElement | null;
      if (!el) throw new Error(`no ${selector}`);
      el.value = value;
      el.dispatchEvent(new Event('input', { bubbles: true }));
    },
    { selector, value },
  );
}

/** Hands a file to an <input type=file> as a user's file choice would. */
function chooseFile(page: DrivenPage, selector: string, name: string, text: string): Promise<void> {
  return page.evaluate(
    ({ selector, name, text }) => {
      const el = document.querySelector(selector) as HTMLInputElement;
      const dt = new DataTransfer();
      dt.items.add(new File([text], name, { type: 'application/json' }));
      el.files = dt.files;
      el.dispatchEvent(new Event('change', { bubbles: true }));
    },
    { selector, name, text },
  );
}

/** Asks the background directly, as Veil's page would (raw runtime message of @webext-core). */
function ask<T>(page: DrivenPage, type: string): Promise<{ ok: boolean; value?: T; error?: { message: string } }> {
  return page.evaluate(async (type) => {
    type Runtime = { runtime: { sendMessage(m: unknown): Promise<unknown> } };
    const g = globalThis as unknown as { browser?: Runtime; chrome: Runtime };
    const reply = (await (g.browser ?? g.chrome).runtime.sendMessage({ id: 1, type, timestamp: Date.now() })) as { res: never };
    return reply.res;
  }, type);
}

const text = (page: DrivenPage, testId: string) => page.text(`[data-testid=${testId}]`);

describe.each(browsersUnderTest())('keyring popup in %s', (kind) => {
  let alice: VeilBrowser;
  let bob: VeilBrowser | undefined;
  let aliceFingerprint = '';
  let backupFile = '';
  const shot = (page: DrivenPage, state: string) => page.screenshot(join(artifactsDir, `${kind}-popup-${state}.png`));

  beforeAll(async () => {
    mkdirSync(artifactsDir, { recursive: true });
    alice = await launchVeil(kind, 'kr-alice');
  });
  afterAll(async () => {
    await alice?.close();
    await bob?.close();
  });

  it('creates an identity on first run', async () => {
    const popup = await alice.openExtensionPage('/popup.html');
    await popup.waitFor('[data-testid=create-form]');
    expect(await text(popup, 'state-pill')).toBe('No identity');
    await popup.type('[data-testid=create-pass-new]', 'abc');
    expect(await text(popup, 'create-pass-strength')).toMatch(/^Weak/);
    await fill(popup, '[data-testid=create-pass-new]', '');
    await shot(popup, 'first-run');
    // No passphrase at first: a passphrase is set in the next step.
    await popup.click('[data-testid=create-identity]');
    await popup.waitFor('[data-testid=fingerprint]');
    aliceFingerprint = (await text(popup, 'fingerprint')).trim();
    expect(aliceFingerprint).toMatch(FINGERPRINT);
    expect(await text(popup, 'state-pill')).toBe('Unlocked');
    expect(await popup.evaluate(() => document.querySelector('[data-testid=lock]'))).toBeNull();
    await shot(popup, 'created');
    await popup.close();
  });

  it('sets a passphrase, locks, refuses a wrong passphrase and unlocks', async () => {
    const popup = await alice.openExtensionPage('/popup.html');
    await popup.waitFor('[data-testid=fingerprint]');
    expect((await text(popup, 'fingerprint')).trim()).toBe(aliceFingerprint);
    await popup.click('[data-testid=passphrase-details] summary');
    await popup.type('[data-testid=change-pass-new]', PASS);
    await popup.type('[data-testid=change-pass-confirm]', PASS);
    expect(await text(popup, 'change-pass-strength')).toMatch(/^Strong/);
    await popup.click('[data-testid=change-pass-submit]');
    await popup.waitFor('[data-testid=change-pass-done]');
    await popup.waitFor('[data-testid=lock]');
    await shot(popup, 'unlocked');

    await popup.click('[data-testid=lock]');
    await popup.waitFor('[data-testid=locked-status]');
    expect(await text(popup, 'locked-status')).toContain('nothing can be decrypted until you unlock');
    expect(await text(popup, 'state-pill')).toBe('Locked');
    await shot(popup, 'locked');

    await popup.type('[data-testid=unlock-pass]', 'not my passphrase');
    await popup.click('[data-testid=unlock]');
    await popup.waitFor('[data-testid=unlock-error]');
    expect(await text(popup, 'unlock-error')).toMatch(/^Wrong passphrase/);
    await shot(popup, 'wrong-passphrase');
    // Still locked, also after reopening, and the background agrees.
    await popup.reload();
    await popup.waitFor('[data-testid=unlock-form]');
    const state = await ask<{ state: string; fingerprint: string | null }>(popup, 'keyring:state');
    expect(state.value).toMatchObject({ state: 'locked', fingerprint: null });
    const contacts = await ask(popup, 'contacts:list');
    expect(contacts.ok).toBe(false);

    await popup.type('[data-testid=unlock-pass]', PASS);
    await popup.click('[data-testid=unlock]');
    await popup.waitFor('[data-testid=fingerprint]');
    expect((await text(popup, 'fingerprint')).trim()).toBe(aliceFingerprint);
    await popup.close();
  });

  it('stays unlocked across a background restart and saves settings', async () => {
    await alice.stopBackground();
    const popup = await alice.openExtensionPage('/popup.html');
    await popup.waitFor('[data-testid=fingerprint]');
    await fill(popup, '[data-testid=autolock-minutes]', '5');
    await popup.click('[data-testid=autolock-save]');
    await popup.waitFor('[data-testid=autolock-saved]');
    await popup.reload();
    await popup.waitFor('[data-testid=autolock-minutes]');
    expect(await popup.evaluate(() => (document.querySelector('[data-testid=autolock-minutes]') as HTMLInputElement).value)).toBe('5');
    await shot(popup, 'settings');
    await popup.close();

    const options = await alice.openExtensionPage('/options.html');
    await options.waitFor('[data-testid=retention-days]');
    await fill(options, '[data-testid=retention-days]', '12');
    await options.click('[data-testid=retention-save]');
    await options.waitFor('[data-testid=settings-saved]');
    const settings = await ask<{ autoLockMinutes: number; retentionDays: number }>(options, 'keyring:get-settings');
    expect(settings.value).toMatchObject({ autoLockMinutes: 5, retentionDays: 12 });
    await options.close();
  });

  it('exports a backup file', async () => {
    const options = await alice.openExtensionPage('/options.html');
    await options.waitFor('[data-testid=export-pass-new]');
    await options.type('[data-testid=export-pass-new]', BACKUP_PASS);
    await options.type('[data-testid=export-pass-confirm]', BACKUP_PASS);
    await options.click('[data-testid=export]');
    await options.waitFor('[data-testid=backup-download]', 60_000);
    const link = await options.evaluate(() => {
      const a = document.querySelector('[data-testid=backup-download]') as HTMLAnchorElement;
      return { href: a.href, name: a.download };
    });
    expect(link.href).toMatch(/^blob:/);
    expect(link.name).toMatch(/^veil-backup-\d{4}-\d{2}-\d{2}\.json$/);
    backupFile = await options.evaluate(async (href) => (await fetch(href)).text(), link.href);
    const parsed = JSON.parse(backupFile) as { format: string; ciphertext: string };
    expect(parsed.format).toBe('veil-backup');
    // Encrypted: the identity's public key material is not readable in the file.
    expect(backupFile).not.toContain('veil-identity');
    await shot(options, 'backup-export');
    await options.close();
  });

  it('imports into a fresh profile: preview first, identity replaced only when ticked', async () => {
    bob = await launchVeil(kind, 'kr-bob');
    const popup = await bob.openExtensionPage('/popup.html');
    await popup.waitFor('[data-testid=create-form]');
    await popup.click('[data-testid=create-identity]');
    await popup.waitFor('[data-testid=fingerprint]');
    const bobFingerprint = (await text(popup, 'fingerprint')).trim();
    expect(bobFingerprint).toMatch(FINGERPRINT);
    expect(bobFingerprint).not.toBe(aliceFingerprint);

    const options = await bob.openExtensionPage('/options.html');
    await options.waitFor('[data-testid=import-file]');
    // Wrong passphrase first: a clear error, nothing previewed.
    await chooseFile(options, '[data-testid=import-file]', 'veil-backup.json', backupFile);
    await options.type('[data-testid=import-pass]', 'wrong');
    await options.click('[data-testid=import-check]');
    await options.waitFor('[data-testid=import-error]', 60_000);
    expect(await text(options, 'import-error')).toMatch(/^Wrong backup passphrase/);

    await fill(options, '[data-testid=import-pass]', BACKUP_PASS);
    await options.click('[data-testid=import-check]');
    await options.waitFor('[data-testid=import-preview]', 60_000);
    expect(await text(options, 'preview-identity')).toContain('different identity');
    expect(await options.evaluate(() => (document.querySelector('[data-testid=replace-identity]') as HTMLInputElement).checked)).toBe(false);
    await shot(options, 'import-preview');
    await options.click('[data-testid=import-apply]');
    await options.waitFor('[data-testid=import-done]', 60_000);
    expect(await text(options, 'import-done')).toContain('Your identity was kept');
    let state = await ask<{ fingerprint: string }>(options, 'keyring:state');
    expect(state.value?.fingerprint).toBe(bobFingerprint);
    // The backup's settings came along.
    expect((await ask<{ retentionDays: number }>(options, 'keyring:get-settings')).value?.retentionDays).toBe(12);

    await chooseFile(options, '[data-testid=import-file]', 'veil-backup.json', backupFile);
    await fill(options, '[data-testid=import-pass]', BACKUP_PASS);
    await options.click('[data-testid=import-check]');
    await options.waitFor('[data-testid=replace-identity]', 60_000);
    await options.click('[data-testid=replace-identity]');
    await options.click('[data-testid=import-apply]');
    await waitUntil(options, () => document.querySelector('[data-testid=import-done]')?.textContent?.includes('Identity restored'), {
      what: 'identity restored',
      timeoutMs: 60_000,
    });
    await shot(options, 'import-done');
    state = await ask<{ fingerprint: string }>(options, 'keyring:state');
    expect(state.value?.fingerprint).toBe(aliceFingerprint);
    await popup.reload();
    await popup.waitFor('[data-testid=fingerprint]');
    expect((await text(popup, 'fingerprint')).trim()).toBe(aliceFingerprint);
    await options.close();
    await popup.close();
  });
});
