import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import type { KeyringView } from '../../lib/messaging/views';
import { ErrorLine } from './components/common';
import { ContactsPanel } from './components/ContactsPanel';
import { IdentityPanel } from './components/IdentityPanel';
import { Protects } from './components/Protects';
import { SitesPanel, useSites } from './components/SitesPanel';
import { activeWebTab, TabPanel, type ActiveTab } from './components/TabPanel';
import { useKeyring } from './useKeyring';

export function StatePill({ view }: { view: KeyringView | null }) {
  if (!view) return null;
  if (view.state === 'locked') return <span class="pill warn" data-testid="state-pill">Locked</span>;
  if (view.state === 'uninitialized' || view.fingerprint === null) return <span class="pill warn" data-testid="state-pill">No identity</span>;
  return <span class="pill ok" data-testid="state-pill">Unlocked</span>;
}

/** The toolbar popup: this tab, identity and lock, contacts; long sections live in settings. */
export function App() {
  const keyring = useKeyring();
  const sites = useSites();
  const [tab, setTab] = useState<ActiveTab | null>(null);

  useEffect(() => {
    sites.refresh();
    void activeWebTab()
      .then(setTab)
      .catch(() => setTab(null));
  }, []);

  return (
    <main class="popup">
      <header>
        <h1>Veil</h1>
        <StatePill view={keyring.view} />
      </header>
      <ErrorLine error={sites.error ?? keyring.error} />
      <section aria-labelledby="this-tab">
        <h2 id="this-tab">This tab</h2>
        <TabPanel tab={tab} status={sites.status} enable={sites.enable} disable={sites.disable} />
      </section>
      <section aria-labelledby="identity">
        <h2 id="identity">My identity</h2>
        <IdentityPanel view={keyring.view} onView={keyring.setView} />
      </section>
      <section aria-labelledby="contacts">
        <h2 id="contacts">Contacts</h2>
        <ContactsPanel keyring={keyring.view} />
      </section>
      <section aria-labelledby="sites">
        <h2 id="sites">Enabled sites</h2>
        <SitesPanel sites={sites} />
      </section>
      <section aria-labelledby="protects">
        <details>
          <summary>
            <h2 id="protects" class="summary-heading">What Veil protects</h2>
          </summary>
          <Protects />
        </details>
      </section>
      <footer>
        <button type="button" class="link" data-testid="open-settings" onClick={() => void browser.runtime.openOptionsPage().catch(() => undefined)}>
          Backup, storage and all settings →
        </button>
        {sites.status && <p data-testid="bg-status">Veil {sites.status.version} · background up</p>}
      </footer>
    </main>
  );
}
