import { useEffect, useRef, useState } from 'preact/hooks';
import { askBackground, messenger, type Result } from '../../lib/messaging';
import type { ComposeView, MessageFrameView } from '../../lib/messaging/views';
import { BadgeView } from './badge';
import type { FrameStyle } from './params';
import { reportHeight, requestClose } from './report';

/** For fire-and-forget UI work: `ask` never rejects, so only a bug could, and the frame stays usable. */
const ignore = (): undefined => undefined;

async function ask<R>(call: () => Promise<Result<R>>): Promise<Result<R>> {
  return (await askBackground(call)) ?? { ok: false, error: { code: 'internal', message: 'Veil did not answer. Try again in a moment.' } };
}

function useHeight(token: string): void {
  useEffect(() => reportHeight(token), [token]);
}

/** Clicks count only after the frame has been on screen a moment (a page cannot flash it under the cursor). */
function useArmed(ms = 600): boolean {
  const [armed, setArmed] = useState(false);
  useEffect(() => {
    const t = setTimeout(() => setArmed(true), ms);
    return () => clearTimeout(t);
  }, []);
  return armed;
}

export function MessageFrame({ token, style }: { token: string; style: FrameStyle }) {
  const [view, setView] = useState<MessageFrameView | null>(null);
  const [error, setError] = useState<string | null>(null);
  useHeight(token);
  useEffect(() => {
    void ask(() => messenger.sendMessage('frame:message', { token }))
      .then((r) => (r.ok ? setView(r.value) : setError(r.error.message)))
      .catch(() => setError('Veil could not show this message.'));
  }, [token]);
  const css = {
    fontFamily: style.fontFamily ?? undefined,
    fontSize: style.fontSize ?? undefined,
    color: style.color ?? undefined,
    background: style.background ?? undefined,
  };
  document.body.style.background = style.background ?? 'transparent';
  if (error) return <div class="line error" style={css}>✖ Veil: {error}</div>;
  if (!view) return <div class="line muted" style={css}>🔒 Veil…</div>;
  return (
    <div class="message" style={css} data-direction={view.direction}>
      {/* Plain text node: preact escapes it; dir=auto and pre-wrap keep RTL, CJK and line breaks right. */}
      <div class="text" dir="auto" data-testid="plaintext">
        {view.text}
      </div>
      <div class="meta">
        <BadgeView badge={view.badge} />
      </div>
    </div>
  );
}

const STATUS_WORDS: Record<ComposeView['conversation']['status'], string> = {
  none: 'not encrypted yet',
  'query-sent': 'waiting for the other person to accept',
  handshaking: 'exchanging keys…',
  established: 'encrypted',
  'blocked-key-change': 'blocked: key changed',
};

export function ComposeFrame({ token }: { token: string }) {
  const [state, setState] = useState<ComposeView | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  const armed = useArmed();
  useHeight(token);

  const refresh = async (): Promise<void> => {
    const r = await ask(() => messenger.sendMessage('frame:compose-state', { token }));
    if (r.ok) setState(r.value);
    else setNotice(r.error.message);
  };
  useEffect(() => {
    void refresh().catch(ignore);
    // Session state moves on while the frame is open (handshake, key change): keep it current.
    const t = setInterval(() => void refresh().catch(ignore), 2000);
    area.current?.focus();
    // When Veil's content script hands focus back to this frame, the cursor belongs in the box.
    const onWindowFocus = (): void => area.current?.focus();
    window.addEventListener('focus', onWindowFocus);
    return () => {
      clearInterval(t);
      window.removeEventListener('focus', onWindowFocus);
    };
  }, [token]);

  const conv = state?.conversation;
  const peer = conv?.peerHandle ?? 'the other person';
  const blocked = conv?.status === 'blocked-key-change';
  const canSend = !!conv?.canSend && !busy;
  // A key-agreement text that never reached the page (moot once the session is established).
  const undelivered = conv?.status !== 'established' ? (state?.undelivered ?? null) : null;

  const send = async (): Promise<void> => {
    if (!canSend || text.trim() === '') return;
    setBusy(true);
    const r = await ask(() => messenger.sendMessage('frame:compose-send', { token, text }));
    setBusy(false);
    if (r.ok) {
      setText('');
      setNotice(r.value.fragments > 1 ? `Sent (${r.value.fragments} parts)` : 'Sent');
    } else setNotice(`Not sent: ${r.error.message}`);
    area.current?.focus();
  };

  const start = async (): Promise<void> => {
    if (!armed) return;
    const r = await ask(() => messenger.sendMessage('frame:start-encryption', { token }));
    setNotice(r.ok ? 'Asked to start encryption' : r.error.message);
    void refresh().catch(ignore);
  };

  const onKey = (e: KeyboardEvent): void => {
    if (e.key === 'Escape') {
      e.preventDefault();
      requestClose(token);
    } else if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      void send().catch(ignore);
    }
  };

  return (
    <div class="compose" onKeyDown={onKey}>
      <div class="head">
        <span class="lock" aria-hidden="true">🔒</span>
        <span data-testid="peer">{conv ? `To ${peer}` : 'Veil'}</span>
        <span class="status" data-testid="status">{conv ? STATUS_WORDS[conv.status] : 'connecting…'}</span>
        {conv?.badge ? <BadgeView badge={conv.badge} /> : null}
        <button type="button" class="close" title="Close (Esc)" onClick={() => requestClose(token)}>
          ✕
        </button>
      </div>
      {blocked ? (
        <div class="line error" data-testid="blocked">
          Sending is blocked: {peer}'s key changed — open Veil to review
        </div>
      ) : null}
      {undelivered ? (
        <div class="line error" data-testid="undelivered">
          Veil could not post its key-agreement message into the page: {undelivered}
        </div>
      ) : null}
      {conv?.status === 'none' || undelivered ? (
        <button type="button" class="start" data-testid="start" onClick={(e) => e.isTrusted && void start()}>
          {conv?.status === 'none' ? 'Start encryption' : 'Start again'}
        </button>
      ) : null}
      {conv?.status === 'established' || blocked ? (
        <button
          type="button"
          class="link"
          data-testid="restart"
          title="Ask the other person's Veil for a fresh key agreement"
          onClick={(e) => e.isTrusted && void start()}
        >
          New keys
        </button>
      ) : null}
      <textarea
        ref={area}
        dir="auto"
        rows={3}
        maxLength={65_536}
        placeholder={canSend ? 'Encrypted message (Enter sends, Shift+Enter new line)' : 'Not ready to send yet'}
        value={text}
        onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)}
        data-testid="compose-text"
      />
      <div class="foot">
        <span class="notice" data-testid="notice" dir="auto">
          {notice ?? conv?.notice ?? ''}
        </span>
        <button type="button" class="send" disabled={!canSend || text.trim() === ''} onClick={() => void send().catch(ignore)}>
          Send
        </button>
      </div>
    </div>
  );
}

export function QueryFrame({ token }: { token: string }) {
  const [done, setDone] = useState<string | null>(null);
  const armed = useArmed();
  useHeight(token);
  const answer = async (accept: boolean, e: MouseEvent): Promise<void> => {
    if (!e.isTrusted || !armed) return;
    const r = await ask(() => messenger.sendMessage('frame:answer-query', { token, accept }));
    setDone(r.ok ? (accept ? 'Accepted: starting encryption…' : 'Ignored') : `Veil: ${r.error.message}`);
  };
  return (
    <div class="query">
      <span>🔒 This person wants an end-to-end encrypted chat with Veil.</span>
      {done ? (
        <span data-testid="query-done">{done}</span>
      ) : (
        <span class="buttons">
          <button type="button" onClick={(e) => void answer(true, e).catch(ignore)} data-testid="accept">
            Accept
          </button>
          <button type="button" onClick={(e) => void answer(false, e).catch(ignore)} data-testid="ignore">
            Ignore
          </button>
        </span>
      )}
    </div>
  );
}
