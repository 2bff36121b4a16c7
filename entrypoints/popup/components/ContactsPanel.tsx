import { useEffect, useRef, useState } from 'preact/hooks';
import QRCode from 'qrcode';
import type { ContactView, KeyringView, VerificationView } from '../../../lib/messaging/views';
import { call } from '../api';
import { ErrorLine, Notice, useAction } from './common';

function statusOf(c: { verified: boolean; keyChanged: boolean }): { label: string; cls: string } {
  if (c.keyChanged) return { label: 'Key changed', cls: 'bad' };
  if (c.verified) return { label: 'Verified', cls: 'ok' };
  return { label: 'Unverified', cls: 'warn' };
}

export function ContactsPanel({ keyring }: { keyring: KeyringView | null }) {
  const [contacts, setContacts] = useState<ContactView[] | null>(null);
  const [open, setOpen] = useState<{ site: string; handle: string } | null>(null);
  const load = useAction();
  const unlocked = keyring?.state === 'unlocked' && keyring.fingerprint !== null;
  const refresh = () => load.run(() => call('contacts:list', undefined), setContacts);
  useEffect(() => {
    if (unlocked) refresh();
    else setContacts(null);
  }, [unlocked]);

  if (!unlocked) return <p class="hint">{keyring?.state === 'locked' ? 'Unlock to see your contacts.' : 'Contacts appear after your first encrypted chat.'}</p>;
  if (open) {
    return (
      <Verification
        target={open}
        onBack={() => {
          setOpen(null);
          refresh();
        }}
      />
    );
  }
  return (
    <div>
      <ErrorLine error={load.error} />
      {contacts === null ? (
        <p>Loading…</p>
      ) : contacts.length === 0 ? (
        <p data-testid="no-contacts">No contacts yet. They appear after your first encrypted chat.</p>
      ) : (
        <ul class="contacts" data-testid="contacts">
          {contacts.map((c) => {
            const s = statusOf(c);
            return (
              <li key={`${c.site} ${c.handle}`} class={c.keyChanged ? 'changed' : ''}>
                <span class="who">
                  <strong>{c.handle}</strong> <span class="site">{c.site}</span>
                </span>
                <span class={`pill ${s.cls}`}>{s.label}</span>
                <button type="button" aria-label={`Verify ${c.handle} on ${c.site}`} onClick={() => setOpen({ site: c.site, handle: c.handle })}>
                  {c.keyChanged ? 'Review' : 'Verify'}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

/** Safety number as 12 groups of 5 digits (three rows of four) for comparing aloud. */
function Digits({ value }: { value: string }) {
  const groups = value.split(' ');
  return (
    <div class="digits mono" data-testid="safety-number" aria-label={`Safety number ${groups.join(', ')}`}>
      {groups.map((g, i) => (
        <span key={i}>{g}</span>
      ))}
    </div>
  );
}

function QrCode({ payload }: { payload: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (!canvas.current) return;
    QRCode.toCanvas(canvas.current, payload, { margin: 2, width: 168, errorCorrectionLevel: 'M' }).catch(() => setFailed(true));
  }, [payload]);
  if (failed) return null;
  return <canvas ref={canvas} class="qr" data-testid="safety-qr" role="img" aria-label="QR code of the safety number" />;
}

function Verification({ target, onBack }: { target: { site: string; handle: string }; onBack: () => void }) {
  const [view, setView] = useState<VerificationView | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const load = useAction();
  const act = useAction();
  const reload = () => load.run(() => call('contacts:verification', target), setView);
  useEffect(reload, [target.site, target.handle]);

  return (
    <div data-testid="verification">
      <button type="button" class="link" onClick={onBack}>
        ← All contacts
      </button>
      <h3>
        {target.handle} <span class="site">on {target.site}</span>
      </h3>
      <ErrorLine error={load.error} testId="verification-error" />
      {view && (
        <>
          {view.keyChanged && (
            <div role="alert" class="alert" data-testid="key-changed-alert">
              <strong>{view.handle}’s key changed.</strong> This can mean they reinstalled Veil or use a new device — or that
              someone is intercepting your chat. Sending to them is blocked until you accept the new key. Compare the safety
              number with them first, in person or on a call.
            </div>
          )}
          <p>
            Compare this number with {view.handle} in person or over a call. If it matches on both screens, nobody is
            intercepting your messages.
          </p>
          <Digits value={view.safetyNumber} />
          <QrCode payload={view.qrPayload} />
          {view.sas && (
            <p data-testid="sas">
              Words to read aloud in a call: <strong>{view.sas}</strong>
            </p>
          )}
          <p class="hint">
            Status: <strong data-testid="verify-status">{statusOf(view).label}</strong>
          </p>
          <ErrorLine error={act.error} />
          {done && <Notice testId="verify-done">{done}</Notice>}
          <div class="row">
            {view.keyChanged && (
              <button
                type="button"
                class="danger"
                data-testid="accept-key"
                disabled={act.busy}
                onClick={() =>
                  act.run(
                    () => call('contacts:accept-key', { site: view.site, handle: view.handle, fingerprint: view.peerFingerprint }),
                    () => {
                      setDone('New key accepted (not verified yet).');
                      reload();
                    },
                  )
                }
              >
                Accept new key
              </button>
            )}
            {!view.verified && (
              <button
                type="button"
                class="primary"
                data-testid="mark-verified"
                disabled={act.busy}
                onClick={() =>
                  act.run(
                    () => call('contacts:mark-verified', { site: view.site, handle: view.handle, fingerprint: view.peerFingerprint }),
                    () => {
                      setDone('Marked as verified.');
                      reload();
                    },
                  )
                }
              >
                The numbers match: mark as verified
              </button>
            )}
          </div>
        </>
      )}
    </div>
  );
}
