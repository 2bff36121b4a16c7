import { useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import type { StatusReply } from '../../../lib/messaging/protocol';
import { originPattern } from '../../../lib/sites/match';
import { call } from '../api';

/** Background status (enabled sites) plus enable/disable through the browser's permission API. */
export function useSites() {
  const [status, setStatus] = useState<StatusReply | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = async () => {
    const reply = await call('page:status', undefined);
    if (reply.ok) setStatus(reply.value);
    else setError(`Background unavailable: ${reply.error.message}`);
  };
  // permissions.request must run directly in the click handler (a user gesture).
  const enable = async (url: string) => {
    const pattern = originPattern(url);
    if (!pattern) return setError('Veil can only be enabled on http(s) sites.');
    setError(null);
    const granted = await browser.permissions.request({ origins: [pattern] }).catch((e: unknown) => {
      setError(String(e));
      return false;
    });
    if (!granted) setError(`Permission for ${pattern} was not granted.`);
    await refresh();
  };
  const disable = async (pattern: string) => {
    await browser.permissions.remove({ origins: [pattern] });
    await refresh();
  };
  /** Started at once (permissions.request needs the click's user gesture); a failure is shown. */
  const shown =
    <A extends unknown[]>(f: (...args: A) => Promise<unknown>) =>
    (...args: A): void =>
      void f(...args).catch((e: unknown) => setError(String(e)));
  return { status, error, refresh: shown(refresh), enable: shown(enable), disable: shown(disable) };
}

export function SitesPanel({ sites }: { sites: ReturnType<typeof useSites> }) {
  const [manual, setManual] = useState('');
  const { status } = sites;
  return (
    <>
      {status === null ? (
        <p>Connecting to Veil…</p>
      ) : status.enabledOrigins.length === 0 ? (
        <p data-testid="no-sites">None yet. Veil does not run on any site until you enable it.</p>
      ) : (
        <ul data-testid="enabled-sites" class="sites">
          {status.enabledOrigins.map((o) => (
            <li key={o}>
              <span>{o}</span>{' '}
              <button type="button" aria-label={`Disable ${o}`} onClick={() => sites.disable(o)}>
                Disable
              </button>
            </li>
          ))}
        </ul>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          sites.enable(manual.trim());
        }}
      >
        <label for="add-site">Enable another site</label>
        <input id="add-site" type="url" placeholder="https://chat.example" value={manual} onInput={(e) => setManual(e.currentTarget.value)} />
        <button type="submit">Enable</button>
      </form>
    </>
  );
}
