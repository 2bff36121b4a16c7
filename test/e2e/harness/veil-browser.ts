import type { DrivenPage } from './page';

/** One person's browser (one fresh profile) with Veil installed. */
export interface VeilBrowser {
  kind: 'chromium' | 'firefox';
  name: string;
  /** chrome-extension://<id> or moz-extension://<uuid> */
  extensionOrigin: string;
  newPage(url?: string): Promise<DrivenPage>;
  /** Opens one of Veil's pages (e.g. "/popup.html") in a tab. */
  openExtensionPage(path: string): Promise<DrivenPage>;
  /** Kills the background (Chrome's service worker) so tests can prove state survives it. */
  stopBackground(): Promise<void>;
  close(): Promise<void>;
}
