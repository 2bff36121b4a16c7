/**
 * The call service: content:call-* (from Veil's isolated call bridge), frame:call-state (call
 * overlay) and page:call-state (popup): per-call media keys from the tab's text session, and the
 * truth about each tab's call for the UI.
 *
 * The tab, origin and conversation a request acts for come from the sender the guard narrowed
 * and from the page registry (what the tab's content script reported); nothing the page or the
 * bridge claims about them is trusted. Identity keys and ratchet state never leave: only the
 * call's two chain keys (see lib/calls/call-keys.ts).
 */
import { deriveCallMaterial, IssuedCallIds, type IssueDecision } from '../../lib/calls/call-keys';
import { callIdFromSides } from '../../lib/calls/sdp';
import { reportSignature, type CallReport } from '../../lib/calls/status';
import type { ConversationStore } from '../../lib/chat/store';
import type { PageContext } from '../../lib/chat/types';
import type { Keyring, KeyValueStore } from '../../lib/keyring';
import { fail, ok, type Handlers, type Result, type Senders } from '../../lib/messaging';
import type { CallView } from '../../lib/messaging/views';
import type { PageRegistry } from './page-registry';
import type { SiteAccess } from './platform';

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

export type CallMessage = 'content:call-policy' | 'content:call-keys' | 'content:call-status' | 'content:call-ended' | 'frame:call-state' | 'page:call-state';

export interface CallServiceDeps {
  keyring: () => Promise<Keyring>;
  conversations: () => Promise<ConversationStore>;
  pages: PageRegistry;
  /** storage.session: call records and issued call ids, for a restarted background. */
  session: KeyValueStore;
  sites: SiteAccess;
  now?: () => number;
}

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
function createCallRecords(session: KeyValueStore, now: () => number) {
  let cache: CallRecord[] | null = null;
  let persistedAt = 0;
  async function all(): Promise<CallRecord[]> {
    if (!cache) {
      const raw = (await session.get([CALLS_KEY]))[CALLS_KEY];
      cache ??= Array.isArray(raw) ? (raw as CallRecord[]) : [];
    }
    return cache;
  }
  return {
    async upsert(key: { tabId: number; callRef: string }, patch: Partial<CallRecord>): Promise<void> {
      const { tabId, callRef } = key;
      const records = await all();
      let rec = records.find((c) => c.tabId === tabId && c.callRef === callRef);
      const countersOnly =
        rec !== undefined &&
        Object.keys(patch).length === 1 &&
        patch.report !== undefined &&
        patch.report !== null &&
        rec.report !== null &&
        reportSignature(patch.report) === reportSignature(rec.report);
      if (!rec) {
        rec = { tabId, callRef, callId: null, sas: null, peer: null, report: null, updatedAt: now(), ended: false };
        records.push(rec);
        const mine = records.filter((c) => c.tabId === tabId);
        for (const old of mine.slice(0, Math.max(0, mine.length - MAX_CALLS_PER_TAB))) records.splice(records.indexOf(old), 1);
      }
      const t = now();
      Object.assign(rec, patch, { updatedAt: t });
      if (countersOnly && t - persistedAt < COUNTERS_PERSIST_MS) return;
      persistedAt = t;
      await session.set({ [CALLS_KEY]: records });
    },
    async dropTab(tabId: number): Promise<void> {
      const records = await all();
      const kept = records.filter((c) => c.tabId !== tabId);
      if (kept.length === records.length) return;
      cache = kept;
      await session.set({ [CALLS_KEY]: kept });
    },
    /** The tab's current call: the live one updated last. */
    async current(tabId: number): Promise<CallRecord | null> {
      const mine = (await all()).filter((c) => c.tabId === tabId);
      const live = mine.filter((c) => !c.ended);
      const pick = (live.length > 0 ? live : mine).sort((a, b) => b.updatedAt - a.updatedAt)[0];
      return pick ?? null;
    },
  };
}

/**
 * Which call ids got keys, for which connection, this browser session (storage.session, so a
 * restarted background still knows; bounded, oldest forgotten). Loaded once; claims are decided
 * synchronously on the loaded list, so two concurrent requests cannot both win.
 */
function createIssuedIds(session: KeyValueStore) {
  let loading: Promise<IssuedCallIds> | null = null;
  return {
    async claim(call: { callId: string; tabId: number; callRef: string }): Promise<IssueDecision> {
      loading ??= session.get([ISSUED_KEY]).then((r) => new IssuedCallIds(r[ISSUED_KEY]));
      const reg = await loading;
      const decision = reg.claim(call.callId, call.tabId, call.callRef);
      if (decision === 'new') await session.set({ [ISSUED_KEY]: reg.entries() });
      return decision;
    },
  };
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

export function createCallService(deps: CallServiceDeps) {
  const now = deps.now ?? (() => Date.now());
  const calls = createCallRecords(deps.session, now);
  const issued = createIssuedIds(deps.session);

  async function pageOf(sender: Senders['top-content']): Promise<Result<PageContext>> {
    if (!(await deps.sites.isOriginEnabled(sender.origin))) return fail('site-not-enabled', `${sender.origin} is not enabled`);
    const page = await deps.pages.get(sender.tabId);
    if (!page || page.site !== sender.origin) return fail('not-found', 'Veil does not know this conversation yet.');
    return ok(page);
  }

  const handlers: Handlers<CallMessage> = {
    'content:call-policy': async (_data, sender) => {
      if (!(await deps.sites.isOriginEnabled(sender.origin))) return fail('site-not-enabled', `${sender.origin} is not enabled`);
      const kr = await deps.keyring().catch(() => null);
      const s = await kr?.getSettings();
      // Locked or unreadable: not strict (calls still show "not encrypted" plainly).
      return ok({ strict: s?.ok ? s.value.strictCalls : false });
    },

    'content:call-keys': async (data, sender) => {
      const page = await pageOf(sender);
      if (!page.ok) return page;
      const id = callIdFromSides({ fingerprints: data.local, ice: data.localIce }, { fingerprints: data.remote, ice: data.remoteIce });
      if (!id.ok) return fail('invalid-message', id.error.message);
      const store = await deps.conversations();
      const found = await store.confirmedSession(page.value, page.value.peerHandle);
      if (!found.ok) return fail(found.error.code === 'locked' ? 'locked' : 'storage', found.error.message);
      const call = { tabId: page.value.tabId, callRef: data.callRef };
      await calls.upsert(call, { callId: id.value, ended: false });
      if (found.value === null) return fail('no-session', 'No encrypted chat session with this person yet.');
      const material = deriveCallMaterial(found.value.state, id.value);
      if (!material.ok) return fail('no-session', material.error.message);
      // One call id, one connection: a second connection with the same id would count its nonces
      // from 0 again under the same keys. Its call fails closed (strict) or shows not encrypted.
      const claim = await issued.claim({ callId: id.value, ...call });
      if (claim === 'reused') {
        await calls.upsert(call, { sas: null, peer: null });
        return fail('call-reused', 'This call id was already used by another connection: Veil does not reuse its keys.');
      }
      await calls.upsert(call, { sas: material.value.sas.text, peer: found.value.peer });
      return ok({ callId: material.value.callId, sendChain: material.value.sendChain, recvChain: material.value.recvChain });
    },

    'content:call-status': async (data, sender) => {
      await calls.upsert({ tabId: sender.tabId, callRef: data.callRef }, { report: data.report as CallReport });
      return ok(null);
    },

    'content:call-ended': async (data, sender) => {
      await calls.upsert({ tabId: sender.tabId, callRef: data.callRef }, { ended: true });
      return ok(null);
    },

    'frame:call-state': async (_data, sender) => {
      const rec = await calls.current(sender.tabId);
      return ok(rec ? toView(rec, now()) : null);
    },

    'page:call-state': async (data) => {
      const rec = await calls.current(data.tabId);
      return ok(rec ? toView(rec, now()) : null);
    },
  };

  return {
    handlers,
    /** The tab closed: forget its calls. */
    forgetTab: (tabId: number) => calls.dropTab(tabId),
  };
}

export type CallService = ReturnType<typeof createCallService>;
