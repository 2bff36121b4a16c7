import { useEffect } from 'preact/hooks';
import { StatePill } from '../popup/App';
import { BackupPanel } from '../popup/components/BackupPanel';
import { ErrorLine } from '../popup/components/common';
import { ContactsPanel } from '../popup/components/ContactsPanel';
import { IdentityPanel } from '../popup/components/IdentityPanel';
import { Protects } from '../popup/components/Protects';
import { SitesPanel, useSites } from '../popup/components/SitesPanel';
import { StoragePanel } from '../popup/components/StoragePanel';
import { useKeyring } from '../popup/useKeyring';

const SECTIONS = [
  ['identity', 'My identity'],
  ['contacts', 'Contacts'],
  ['sites', 'Sites'],
  ['backup', 'Backup'],
  ['storage', 'Storage'],
  ['about', 'What Veil protects'],
] as const;

/** Settings page (a full tab): everything in the popup plus backup, storage and scope. */
export function OptionsApp() {
  const keyring = useKeyring();
  const sites = useSites();
  const welcome = location.hash === '#welcome';
  useEffect(() => sites.refresh(), []);

  return (
    <div class="options">
      <header>
        <h1>Veil settings</h1>
        <StatePill view={keyring.view} />
      </header>
      <nav aria-label="Sections">
        <ul>
          {SECTIONS.map(([id, title]) => (
            <li key={id}>
              <a href={`#${id}`}>{title}</a>
            </li>
          ))}
        </ul>
      </nav>
      <main>
        {welcome && (
          <p class="notice" role="status">
            Welcome to Veil. Create your identity below, then enable Veil on a chat site from the toolbar button.
          </p>
        )}
        <ErrorLine error={sites.error ?? keyring.error} />
        <section id="identity" aria-labelledby="identity-h">
          <h2 id="identity-h">My identity</h2>
          <IdentityPanel view={keyring.view} onView={keyring.setView} />
        </section>
        <section id="contacts" aria-labelledby="contacts-h">
          <h2 id="contacts-h">Contacts</h2>
          <ContactsPanel keyring={keyring.view} />
        </section>
        <section id="sites" aria-labelledby="sites-h">
          <h2 id="sites-h">Sites</h2>
          <SitesPanel sites={sites} />
        </section>
        <section id="backup" aria-labelledby="backup-h">
          <h2 id="backup-h">Backup</h2>
          <BackupPanel keyring={keyring.view} onChanged={keyring.refresh} />
        </section>
        <section id="storage" aria-labelledby="storage-h">
          <h2 id="storage-h">Storage</h2>
          <StoragePanel keyring={keyring.view} />
        </section>
        <section id="about" aria-labelledby="about-h">
          <h2 id="about-h">What Veil protects</h2>
          <Protects />
        </section>
        {sites.status && <p class="hint" data-testid="bg-status">Veil {sites.status.version} · background up</p>}
      </main>
    </div>
  );
}
