/**
 * content:call-* (from Veil's isolated call bridge), frame:call-state (call overlay) and
 * page:call-state (popup): per-call media keys from the tab's text session, and the truth about
 * each tab's call for the UI.
 *
 * The tab, origin and conversation a request acts for come from the browser's sender record and
 * from the page context the content script registered (storage.session "veil.pages", kept by
 * text-service.ts); nothing the page or the bridge claims about them is trusted. Identity keys
 * and ratchet state never leave: only the call's two chain keys (see lib/calls/call-keys.ts).
 */
import { browser } from 'wxt/browser';
import { deriveCallMaterial, IssuedCallIds, type IssueDecision } from '../../lib/calls/call-keys';
import { callIdFromSides } from '../../lib/calls/sdp';
import { reportSignature, type CallReport } from '../../lib/calls/status';
import type { PageContext } from '../../lib/chat/types';
import { fail, guardHandler, messenger, ok, type HandlerContext, type Result, type SenderRole } from '../../lib/messaging';
import type { CallView } from '../../lib/messaging/views';
import { getConversations, getKeyring } from './keyring-instance';
import { isOriginEnabled } from './site-access';

const PAGES_KEY = 'veil.pages';
const CALLS_KEY = 'veil.calls';
const ISSUED_KEY = 'veil.call-ids';
/** Calls kept per tab (a page with "Next" makes a new one per partner). */
const MAX_CALLS_PER_TAB = 4;
/**
 * Status reports that only move frame counters are mirrored to storage at most this often (the
 * mirror is for a restarted background; the live view comes from memory). Anything else a report
 * says, and every other change, is written at once.
 */
const COUNTERS_PERSIST_MS = 10_000;

interface CallRecord {
  tabId: number;
  callRef: string;
  callId: string | null;
  sas: string | null;
  peer: string | null;
  report: CallReport | null;
  updatedAt: number;
  ended: boolean;
}

/** Call records per tab, mirrored to storage.session so a restarted background still shows the SAS. */
const calls = {
  cache: null as CallRecord[] | null,
  persistedAt: 0,
  async all(): Promise<CallRecord[]> {
    if (!this.cache) {
      const raw = (await browser.storage.session.get([CALLS_KEY]))[CALLS_KEY];
      this.cache = Array.isArray(raw) ? (raw as CallRecord[]) : [];
    }
    return this.cache;
  },
  async upsert(tabId: number, callRef: string, patch: Partial<CallRecord>): Promise<void> {
    const all = await this.all();
    let rec = all.find((c) => c.tabId === tabId && c.callRef === callRef);
    const countersOnly =
      rec !== undefined &&
      Object.keys(patch).length === 1 &&
      patch.report !== undefined &&
      patch.report !== null &&
      rec.report !== null &&
      reportSignature(patch.report) === reportSignature(rec.report);
    if (!rec) {
      rec = { tabId, callRef, callId: null, sas: null, peer: null, report: null, updatedAt: Date.now(), ended: false };
      all.push(rec);
      const mine = all.filter((c) => c.tabId === tabId);
      for (const old of mine.slice(0, Math.max(0, mine.length - MAX_CALLS_PER_TAB))) all.splice(all.indexOf(old), 1);
    }
    const now = Date.now();
    Object.assign(rec, patch, { updatedAt: now });
    if (countersOnly && now - this.persistedAt < COUNTERS_PERSIST_MS) return;
    this.persistedAt = now;
    await browser.storage.session.set({ [CALLS_KEY]: all });
  },
  async dropTab(tabId: number): Promise<void> {
    const all = await this.all();
    const kept = all.filter((c) => c.tabId !== tabId);
    if (kept.length === all.length) return;
    this.cache = kept;
    await browser.storage.session.set({ [CALLS_KEY]: kept });
  },
  /** The tab's current call: the live one updated last. */
  async current(tabId: number): Promise<CallRecord | null> {
    const mine = (await this.all()).filter((c) => c.tabId === tabId);
    const live = mine.filter((c) => !c.ended);
    const pick = (live.length > 0 ? live : mine).sort((a, b) => b.updatedAt - a.updatedAt)[0];
    return pick ?? null;
  },
};

/**
 * Which call ids got keys, for which connection, this browser session (storage.session, so a
 * restarted background still knows; bounded, oldest forgotten). Loaded once; claims are decided
 * synchronously on the loaded list, so two concurrent requests cannot both win.
 */
const issued = {
  loading: null as Promise<IssuedCallIds> | null,
  async claim(callId: string, tabId: number, callRef: string): Promise<IssueDecision> {
    this.loading ??= browser.storage.session.get([ISSUED_KEY]).then((r) => new IssuedCallIds(r[ISSUED_KEY]));
    const reg = await this.loading;
    const decision = reg.claim(callId, tabId, callRef);
    if (decision === 'new') await browser.storage.session.set({ [ISSUED_KEY]: reg.entries() });
    return decision;
  },
};

async function pageOf(role: SenderRole): Promise<Result<PageContext>> {
  if (role.kind !== 'content') return fail('forbidden-sender', 'not a content script');
  if (role.frameId !== 0) return fail('forbidden-sender', 'calls are handled in the top frame only');
  if (!(await isOriginEnabled(role.origin))) return fail('site-not-enabled', `${role.origin} is not enabled`);
  const raw = (await browser.storage.session.get([PAGES_KEY]))[PAGES_KEY];
  const entries = Array.isArray(raw) ? (raw as Array<[number, PageContext]>) : [];
  const page = entries.find(([id]) => id === role.tabId)?.[1];
  if (!page || page.site !== role.origin) return fail('not-found', 'Veil does not know this conversation yet.');
  return ok(page);
}

function toView(rec: CallRecord, now: number): CallView {
  const r = rec.report;
  return {
    status: r?.status ?? 'waiting-for-keys',
    reason: r?.reason ?? null,
    sas: rec.sas,
    peer: rec.peer,
    pipeline: r?.pipeline ?? 'worker',
    strict: r?.strict ?? false,
    sendEpoch: r?.sendEpoch ?? null,
    receiveEpoch: r?.receiveEpoch ?? null,
    framesEncrypted: r?.send.protected ?? 0,
    framesDecrypted: r?.receive.protected ?? 0,
    framesDropped: (r?.send.dropped ?? 0) + (r?.receive.dropped ?? 0),
    framesPassthrough: (r?.send.passthrough ?? 0) + (r?.receive.passthrough ?? 0),
    ageMs: Math.max(0, now - rec.updatedAt),
  };
}

export function registerCallHandlers(ctx: HandlerContext): void {
  messenger.onMessage(
    'content:call-policy',
    guardHandler('content:call-policy', ctx, async (_data, role) => {
      if (role.kind !== 'content') return fail('forbidden-sender', 'not a content script');
      if (!(await isOriginEnabled(role.origin))) return fail('site-not-enabled', `${role.origin} is not enabled`);
      const kr = await getKeyring().catch(() => null);
      const s = await kr?.getSettings();
      // Locked or unreadable: not strict (calls still show "not encrypted" plainly).
      return ok({ strict: s?.ok ? s.value.strictCalls : false });
    }),
  );

  messenger.onMessage(
    'content:call-keys',
    guardHandler('content:call-keys', ctx, async (data, role) => {
      const page = await pageOf(role);
      if (!page.ok) return page;
      const id = callIdFromSides({ fingerprints: data.local, ice: data.localIce }, { fingerprints: data.remote, ice: data.remoteIce });
      if (!id.ok) return fail('invalid-message', id.error.message);
      const store = await getConversations();
      const found = await store.confirmedSession(page.value, page.value.peerHandle);
      if (!found.ok) return fail(found.error.code === 'locked' ? 'locked' : 'storage', found.error.message);
      await calls.upsert(page.value.tabId, data.callRef, { callId: id.value, ended: false });
      if (found.value === null) return fail('no-session', 'No encrypted chat session with this person yet.');
      const material = deriveCallMaterial(found.value.state, id.value);
      if (!material.ok) return fail('no-session', material.error.message);
      // One call id, one connection: a second connection with the same id would count its nonces
      // from 0 again under the same keys. Its call fails closed (strict) or shows not encrypted.
      const claim = await issued.claim(id.value, page.value.tabId, data.callRef);
      if (claim === 'reused') {
        await calls.upsert(page.value.tabId, data.callRef, { sas: null, peer: null });
        return fail('call-reused', 'This call id was already used by another connection: Veil does not reuse its keys.');
      }
      await calls.upsert(page.value.tabId, data.callRef, { sas: material.value.sas.text, peer: found.value.peer });
      return ok({ callId: material.value.callId, sendChain: material.value.sendChain, recvChain: material.value.recvChain });
    }),
  );

  messenger.onMessage(
    'content:call-status',
    guardHandler('content:call-status', ctx, async (data, role) => {
      if (role.kind !== 'content' || role.frameId !== 0) return fail('forbidden-sender', 'not the top frame\'s content script');
      await calls.upsert(role.tabId, data.callRef, { report: data.report as CallReport });
      return ok(null);
    }),
  );

  messenger.onMessage(
    'content:call-ended',
    guardHandler('content:call-ended', ctx, async (data, role) => {
      if (role.kind !== 'content' || role.frameId !== 0) return fail('forbidden-sender', 'not the top frame\'s content script');
      await calls.upsert(role.tabId, data.callRef, { ended: true });
      return ok(null);
    }),
  );

  messenger.onMessage(
    'frame:call-state',
    guardHandler('frame:call-state', ctx, async (_data, role) => {
      if (role.kind !== 'extension-page' || role.tabId === null) return fail('forbidden-sender', 'not a Veil frame in a tab');
      const rec = await calls.current(role.tabId);
      return ok(rec ? toView(rec, Date.now()) : null);
    }),
  );

  messenger.onMessage(
    'page:call-state',
    guardHandler('page:call-state', ctx, async (data) => {
      const rec = await calls.current(data.tabId);
      return ok(rec ? toView(rec, Date.now()) : null);
    }),
  );

  browser.tabs.onRemoved.addListener((tabId) => void calls.dropTab(tabId));
}
