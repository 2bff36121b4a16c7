/** Runtime registration of Veil's content scripts for the origins the user enabled. */
import { browser } from 'wxt/browser';
import { originPattern } from '../../lib/sites/match';

const CONTENT_ID = 'veil-content';
const HOOK_ID = 'veil-call-hook';
const BRIDGE_ID = 'veil-call-bridge';

export async function enabledOrigins(): Promise<string[]> {
  const all = await browser.permissions.getAll();
  return (all.origins ?? []).filter((o) => /^https?:\/\/[^*]+\/\*$/.test(o)).sort();
}

export async function isOriginEnabled(origin: string): Promise<boolean> {
  const pattern = originPattern(`${origin}/`);
  return pattern !== null && browser.permissions.contains({ origins: [pattern] });
}

let syncing: Promise<void> = Promise.resolve();

/** Serialized so overlapping permission events cannot interleave register/unregister calls. */
export function syncContentScripts(): Promise<void> {
  syncing = syncing.then(doSync, doSync);
  return syncing;
}

async function doSync(): Promise<void> {
  const origins = await enabledOrigins();
  const existing = await browser.scripting.getRegisteredContentScripts({ ids: [CONTENT_ID, HOOK_ID, BRIDGE_ID] });
  if (existing.length > 0) {
    await browser.scripting.unregisterContentScripts({ ids: existing.map((s) => s.id) });
  }
  if (origins.length === 0) return;
  await browser.scripting.registerContentScripts([
    {
      // Isolated world, before the main-world hook: it takes the hook's private call port.
      id: BRIDGE_ID,
      js: ['content-scripts/call-bridge.js'],
      matches: origins,
      runAt: 'document_start',
      allFrames: false,
      persistAcrossSessions: true,
    },
    {
      id: HOOK_ID,
      js: ['content-scripts/call-hook.js'],
      matches: origins,
      runAt: 'document_start',
      world: 'MAIN',
      allFrames: false,
      persistAcrossSessions: true,
    },
    {
      id: CONTENT_ID,
      js: ['content-scripts/content.js'],
      matches: origins,
      runAt: 'document_idle',
      allFrames: false,
      persistAcrossSessions: true,
    },
  ]);
}
