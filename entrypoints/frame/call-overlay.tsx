/**
 * Call overlay (frame.html#call): extension origin, so the page can neither read nor forge what
 * it shows. It says plainly whether the call's media is encrypted, shows the short
 * authentication string to read aloud, and that the page itself owns the camera and microphone.
 */
import { useEffect, useState } from 'preact/hooks';
import { messenger } from '../../lib/messaging';
import type { CallView } from '../../lib/messaging/views';

const LABEL: Record<CallView['status'], string> = {
  encrypted: '🔒 Call encrypted end to end by Veil',
  'not-encrypted': '⚠️ Call NOT encrypted',
  'waiting-for-keys': '⏳ Waiting for encryption keys…',
  failing: '⛔ Encryption failing: media blocked',
};

/** Reports arrive every ~2 s; a report older than this is called stale. */
const STALE_MS = 5000;
const POLL_MS = 2000;

/** What the overlay shows: a poll that changes none of it does not re-render the frame. */
function shown(v: CallView | null): string {
  if (v === null) return 'none';
  return JSON.stringify([v.status, v.reason, v.sas, v.peer, v.pipeline, v.framesEncrypted, v.framesDecrypted, v.framesDropped, v.framesPassthrough, v.ageMs > STALE_MS]);
}

export function CallOverlay() {
  const [view, setView] = useState<CallView | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stop = false;
    let last = '';
    const poll = async (): Promise<void> => {
      try {
        const r = await messenger.sendMessage('frame:call-state', undefined);
        if (stop) return;
        if (r.ok) {
          const key = shown(r.value);
          if (key !== last) {
            last = key;
            setView(r.value);
          }
          setError(null);
        } else setError(r.error.message);
      } catch {
        if (!stop) setError('Veil is not answering.');
      }
    };
    // poll catches its own failures ("Veil is not answering").
    void poll().catch(() => undefined);
    const t = setInterval(() => void poll().catch(() => undefined), POLL_MS);
    return () => {
      stop = true;
      clearInterval(t);
    };
  }, []);
  const stale = view !== null && view.ageMs > STALE_MS;
  return (
    <div
      class="call-overlay"
      data-testid="call-overlay"
      data-status={view?.status ?? 'none'}
      style={`font:13px/1.35 system-ui,sans-serif;padding:8px 10px;border-radius:10px;min-height:170px;box-sizing:border-box;color:#111;background:${view?.status === 'encrypted' ? '#e8f7ec' : view?.status === 'failing' ? '#fde8e8' : '#fff6e0'}`}
    >
      <div class="call-status" data-testid="call-status">
        {view ? LABEL[view.status] : 'Veil: no call yet'}
        {stale ? ' (no report from the page for a while)' : ''}
      </div>
      {view?.reason ? <div class="call-reason">{view.reason}</div> : null}
      {view?.sas ? (
        <div class="call-sas">
          Read aloud and compare: <b data-testid="call-sas">{view.sas}</b>
          {view.peer ? <span> (with {view.peer})</span> : null}
        </div>
      ) : null}
      {view ? (
        <div class="call-counts" data-testid="call-counts">
          sent {view.framesEncrypted} encrypted · received {view.framesDecrypted} decrypted · dropped {view.framesDropped}
          {view.framesPassthrough > 0 ? ` · ${view.framesPassthrough} not encrypted` : ''}
          {view.pipeline === 'main-thread' ? ' · page blocks workers: running on the page thread' : ''}
        </div>
      ) : null}
      {error ? <div class="call-reason">{error}</div> : null}
      <div class="call-note">
        The site owns your camera and microphone: it sees them before Veil encrypts, so a hostile site could still record you.
      </div>
    </div>
  );
}
