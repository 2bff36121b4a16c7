import { defineContentScript } from 'wxt/utils/define-content-script';

// Main world, document_start: runs before the page's scripts so that calls can be wrapped later.
export default defineContentScript({
  matches: ['https://veil.invalid/*'],
  registration: 'runtime',
  world: 'MAIN',
  runAt: 'document_start',
  main() {
    document.documentElement.setAttribute('data-veil-hook', String(performance.now()));
  },
});
