import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { messenger } from '../../lib/messaging';
import type { StatusReply } from '../../lib/messaging/protocol';
import { knownSiteFor, originPattern } from '../../lib/sites/match';

/** The site of the tab the popup was opened on (activeTab lets us read its URL). */
async function currentTabUrl(): Promise<string | null> {
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  const url = tab?.url ?? null;
  return url && originPattern(url) ? url : null;
}

export function App() {
  const [status, setStatus] = useState<StatusReply | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tabUrl, setTabUrl] = useState<string | null>(null);
  const [manual, setManual] = useState('');

  const refresh = async () => {
    const reply = await messenger.sendMessage('page:status', undefined).catch((e: unknown) => ({
      ok: false as const,
      error: { code: 'internal' as const, message: String(e) },
    }));
    if (reply.ok) setStatus(reply.value);
    else setError(`Background unavailable: ${reply.error.message}`);
  };

  useEffect(() => {
    void refresh();
    void currentTabUrl().then(setTabUrl);
  }, []);

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

  const tabPattern = tabUrl ? originPattern(tabUrl) : null;
  const tabEnabled = !!(tabPattern && status?.enabledOrigins.includes(tabPattern));
  const known = tabUrl ? knownSiteFor(tabUrl) : null;

  return (
    <main>
      <h1>Veil</h1>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <section aria-labelledby="this-tab">
        <h2 id="this-tab">This tab</h2>
        {tabPattern ? (
          <>
            <p>
              {known ? known.name : tabPattern}: <strong data-testid="tab-state">{tabEnabled ? 'Veil enabled' : 'Veil off'}</strong>
            </p>
            {tabEnabled ? (
              <button onClick={() => void disable(tabPattern)}>Disable on this site</button>
            ) : (
              <button onClick={() => void enable(tabUrl!)}>Enable on this site</button>
            )}
          </>
        ) : (
          <p>Open Veil from the toolbar on a chat site to enable it there.</p>
        )}
      </section>
      <section aria-labelledby="sites">
        <h2 id="sites">Enabled sites</h2>
        {status === null ? (
          <p>Connecting to Veil…</p>
        ) : status.enabledOrigins.length === 0 ? (
          <p data-testid="no-sites">None yet. Veil does not run on any site until you enable it.</p>
        ) : (
          <ul data-testid="enabled-sites">
            {status.enabledOrigins.map((o) => (
              <li key={o}>
                {o} <button aria-label={`Disable ${o}`} onClick={() => void disable(o)}>Disable</button>
              </li>
            ))}
          </ul>
        )}
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void enable(manual.trim());
          }}
        >
          <label for="add-site">Enable another site</label>
          <input id="add-site" type="url" placeholder="https://chat.example" value={manual} onInput={(e) => setManual(e.currentTarget.value)} />
          <button type="submit">Enable</button>
        </form>
      </section>
      {status && <footer data-testid="bg-status">Veil {status.version} · background up</footer>}
    </main>
  );
}
