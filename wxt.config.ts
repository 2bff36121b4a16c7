import { defineConfig } from 'wxt';
import preact from '@preact/preset-vite';

// Veil's extension build. Host access is optional: the user enables each site from the popup.
export default defineConfig({
  // VEIL_OUT_DIR lets a test run build into its own folder (default .output).
  outDir: process.env.VEIL_OUT_DIR ?? '.output',
  modules: ['@wxt-dev/webextension-polyfill'],
  imports: false,
  vite: () => ({ plugins: [preact()] }),
  hooks: {
    // Runtime-registered content scripts make WXT add their placeholder matches as host
    // permissions; Veil must hold none until the user enables a site.
    'build:manifestGenerated': (_wxt, manifest) => {
      delete manifest.host_permissions;
      if (manifest.content_scripts?.length === 0) delete manifest.content_scripts;
    },
  },
  manifest: ({ browser }) => ({
    name: 'Veil',
    description: 'End-to-end encryption for the web chats you already use.',
    permissions: ['storage', 'scripting', 'activeTab', 'alarms'],
    optional_host_permissions: ['https://*/*', 'http://*/*'],
    web_accessible_resources: [{ resources: ['frame.html'], matches: ['http://*/*', 'https://*/*'] }],
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: {
              id: 'veil@veil.example',
              strict_min_version: '140.0',
              data_collection_permissions: { required: ['none'] },
            },
            gecko_android: { strict_min_version: '142.0' },
          },
        }
      : {}),
  }),
});
