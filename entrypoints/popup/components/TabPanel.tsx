import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import type { StatusReply } from '../../../lib/messaging/protocol';
import type { CallView, ConversationView, TabView } from '../../../lib/messaging/views';
import { knownSiteFor, originPattern } from '../../../lib/sites/match';
import { call } from '../api';
import { ErrorLine, Notice, useAction } from './common';

export interface ActiveTab {
  id: number;
  url: string;
}

/** The tab the popup was opened on (activeTab lets us read its URL); null if not a web page. */
export async function activeWebTab(): Promise<ActiveTab | null> {
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  if (!tab || typeof tab.id !== 'number' || !tab.url || !originPattern(tab.url)) return null;
  return { id: tab.id, url: tab.url };
}

const STATUS_TEXT: Record<ConversationView['status'], string> = {
  none: 'Not encrypted',
  'query-sent': 'Waiting for the other person to accept',
  handshaking: 'Exchanging keys…',
  established: 'Encrypted',
  'blocked-key-change': 'Blocked: their key changed',
};

export function TabPanel({
  tab,
  status,
  enable,
  disable,
}: {
  tab: ActiveTab | null;
  status: StatusReply | null;
  enable: (url: string) => void;
  disable: (pattern: string) => void;
}) {
  const pattern = tab ? originPattern(tab.url) : null;
  if (!tab || !pattern) return <p>Open Veil from the toolbar on a chat site to enable it there.</p>;
  const enabled = !!status?.enabledOrigins.includes(pattern);
  const known = knownSiteFor(tab.url);
  return (
    <>
      <p>
        {known ? known.name : pattern}: <strong data-testid="tab-state">{enabled ? 'Veil enabled' : 'Veil off'}</strong>
      </p>
      {enabled ? (
        <button type="button" onClick={() => disable(pattern)}>
          Disable on this site
        </button>
      ) : (
        <button type="button" onClick={() => enable(tab.url)}>
          Enable on this site
        </button>
      )}
      {enabled && <Conversation tabId={tab.id} />}
    </>
  );
}

const CALL_TEXT: Record<CallView['status'], string> = {
  encrypted: 'Call encrypted',
  'not-encrypted': 'Call NOT encrypted',
  'waiting-for-keys': 'Call waiting for keys',
  failing: 'Call encryption failing',
};

/** The tab's call, if any: the truth from Veil's frame counters, not the page's word. */
function CallState({ tabId }: { tabId: number }) {
  const [view, setView] = useState<CallView | null>(null);
  useEffect(() => {
    void call('page:call-state', { tabId })
      .then((r) => setView(r.ok ? r.value : null))
      .catch(() => setView(null));
  }, [tabId]);
  if (!view) return null;
  const cls = view.status === 'encrypted' ? 'ok' : view.status === 'waiting-for-keys' ? 'warn' : 'bad';
  return (
    <div class="call" data-testid="call-state">
      <p>
        <span class={`pill ${cls}`}>{CALL_TEXT[view.status]}</span> {view.reason ?? ''}
      </p>
      {view.sas && <p class="hint">Read aloud in the call: {view.sas}</p>}
      <p class="hint">The page itself owns your camera and microphone: a hostile page could record before Veil encrypts.</p>
    </div>
  );
}

function Conversation({ tabId }: { tabId: number }) {
  const [view, setView] = useState<TabView | null | undefined>(undefined);
  const [inactive, setInactive] = useState(false);
  const act = useAction();
  const [notice, setNotice] = useState<string | null>(null);
  const load = (): void =>
    void call('page:tab-state', { tabId })
      .then((r) => {
        setInactive(!r.ok);
        if (r.ok) setView(r.value);
      })
      .catch(() => setInactive(true));
  useEffect(load, [tabId]);

  if (inactive) return <p class="hint" data-testid="tab-inactive">Veil is not active on this tab. Reload the page if you just enabled the site.</p>;
  if (view === undefined) return <p>Checking this tab…</p>;
  const conv = view?.conversation ?? null;
  if (!conv) return <p class="hint">{view?.profileFallback ? 'Veil does not recognise this page layout; it works in basic mode.' : 'No conversation found on this page.'}</p>;
  const badge = conv.badge === 'key-changed' || conv.status === 'blocked-key-change' ? 'bad' : conv.badge === 'verified' ? 'ok' : 'warn';
  return (
    <div class="conversation" data-testid="conversation">
      <CallState tabId={tabId} />
      <p>
        With <strong>{conv.peerHandle ?? 'unknown'}</strong> as {conv.selfHandle}
      </p>
      <p>
        <span class={`pill ${badge}`}>{STATUS_TEXT[conv.status]}</span>{' '}
        {conv.badge === 'verified' ? 'Verified' : conv.badge === 'key-changed' ? 'Key changed' : conv.status === 'established' ? 'Not verified yet' : ''}
      </p>
      {conv.notice && <p role="alert" class="alert">{conv.notice}</p>}
      {conv.safetyNumber && (
        <p class="hint">
          Safety number: <span class="mono">{conv.safetyNumber}</span>
        </p>
      )}
      {conv.sas && <p class="hint">Read aloud: {conv.sas}</p>}
      <ErrorLine error={act.error} />
      {notice && <Notice>{notice}</Notice>}
      <div class="row">
        {conv.status === 'none' && (
          <button
            type="button"
            class="primary"
            disabled={act.busy}
            onClick={() => act.run(() => call('page:start-encryption', { tabId }), load)}
          >
            Start encryption
          </button>
        )}
        <button
          type="button"
          disabled={act.busy}
          onClick={() =>
            act.run(
              () => call('cache:forget-conversation', { site: conv.site, conversationId: conv.conversationId }),
              (r) => setNotice(`Forgot ${r.removed} cached message${r.removed === 1 ? '' : 's'} of this conversation.`),
            )
          }
        >
          Forget cached messages here
        </button>
      </div>
    </div>
  );
}
