import { defineContentScript } from 'wxt/utils/define-content-script';
import { messenger } from '../lib/messaging';

// Registered at runtime by the background for enabled origins only (see background/site-access.ts).
export default defineContentScript({
  matches: ['https://veil.invalid/*'],
  registration: 'runtime',
  async main() {
    const reply = await messenger.sendMessage('content:hello', {
      href: location.href.slice(0, 4096),
      hookSeen: document.documentElement.hasAttribute('data-veil-hook'),
    });
    // Diagnostics for the E2E bench: a marker with no plaintext or keys in it.
    document.documentElement.setAttribute('data-veil-content', reply.ok ? 'connected' : reply.error.code);
  },
});
