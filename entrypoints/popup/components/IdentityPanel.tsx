import { useEffect, useState } from 'preact/hooks';
import type { KeyringView } from '../../../lib/messaging/views';
import { call } from '../api';
import { ErrorLine, Notice, useAction, useId } from './common';
import { PassphraseFields, pairReady, type PassphrasePair } from './PassphraseFields';

const EMPTY_PAIR: PassphrasePair = { value: '', confirm: '' };

export function IdentityPanel({ view, onView }: { view: KeyringView | null; onView: (v: KeyringView) => void }) {
  if (view === null) return <p>Connecting to Veil…</p>;
  if (view.state === 'uninitialized') return <CreateIdentity onView={onView} askPassphrase />;
  if (view.state === 'locked') return <Unlock view={view} onView={onView} />;
  if (view.fingerprint === null) return <CreateIdentity onView={onView} askPassphrase={false} />;
  return <Unlocked view={view} onView={onView} />;
}

function CreateIdentity({ onView, askPassphrase }: { onView: (v: KeyringView) => void; askPassphrase: boolean }) {
  const [pair, setPair] = useState(EMPTY_PAIR);
  const action = useAction();
  const ready = pairReady(pair, true);
  return (
    <form
      data-testid="create-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (!ready) return action.setError('The two passphrases differ.');
        action.run(() => call('keyring:create', { passphrase: pair.value === '' ? null : pair.value }), onView);
      }}
    >
      <p>Veil needs an identity: a key pair that stays in this browser. Your contacts compare it with you to know it is really you.</p>
      {askPassphrase && (
        <>
          <PassphraseFields pair={pair} onChange={setPair} label="Passphrase (optional, recommended)" testPrefix="create-pass" emptyMeansNone />
          <p class="hint">It protects your keys and messages if someone else uses this browser. It cannot be recovered: keep a backup.</p>
        </>
      )}
      <ErrorLine error={action.error} testId="create-error" />
      <button type="submit" class="primary" disabled={action.busy} data-testid="create-identity">
        {action.busy ? 'Creating…' : 'Create my identity'}
      </button>
    </form>
  );
}

function Unlock({ view, onView }: { view: KeyringView; onView: (v: KeyringView) => void }) {
  const [pass, setPass] = useState('');
  const action = useAction();
  const id = useId('unlock');
  return (
    <form
      data-testid="unlock-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (view.hasPassphrase && pass === '') return action.setError('Enter your passphrase.');
        action.run(
          () => call('keyring:unlock', { passphrase: view.hasPassphrase ? pass : null }),
          (v) => {
            setPass('');
            onView(v);
          },
        );
      }}
    >
      <Notice testId="locked-status">
        <strong>Locked</strong> — nothing can be decrypted until you unlock.
      </Notice>
      {view.hasPassphrase && (
        <>
          <label for={id}>Passphrase</label>
          <input id={id} data-testid="unlock-pass" type="password" autocomplete="current-password" value={pass} onInput={(e) => setPass(e.currentTarget.value)} />
        </>
      )}
      <ErrorLine error={action.error} testId="unlock-error" />
      <button type="submit" class="primary" disabled={action.busy} data-testid="unlock">
        {action.busy ? 'Unlocking…' : 'Unlock'}
      </button>
    </form>
  );
}

function Unlocked({ view, onView }: { view: KeyringView; onView: (v: KeyringView) => void }) {
  const lock = useAction();
  return (
    <div>
      <p>
        <span class="pill ok" data-testid="unlocked-status">Unlocked</span>{' '}
        {view.hasPassphrase ? 'Veil can decrypt and send.' : 'No passphrase: Veil unlocks by itself in this browser.'}
      </p>
      <p class="label">Your fingerprint</p>
      <p class="mono fingerprint" data-testid="fingerprint">
        {view.fingerprint}
      </p>
      {view.hasPassphrase && (
        <>
          <button
            type="button"
            data-testid="lock"
            disabled={lock.busy}
            onClick={() => lock.run(() => call('keyring:lock', undefined), onView)}
          >
            Lock now
          </button>
          <ErrorLine error={lock.error} />
        </>
      )}
      <ChangePassphrase view={view} onView={onView} />
      <AutoLock view={view} onView={onView} />
    </div>
  );
}

function ChangePassphrase({ view, onView }: { view: KeyringView; onView: (v: KeyringView) => void }) {
  const [current, setCurrent] = useState('');
  const [pair, setPair] = useState(EMPTY_PAIR);
  const [done, setDone] = useState<string | null>(null);
  const action = useAction();
  const id = useId('current-pass');
  const has = view.hasPassphrase === true;
  const submit = (next: string | null) => {
    if (has && current === '') return action.setError('Enter your current passphrase.');
    action.run(
      () => call('keyring:change-passphrase', { current: has ? current : null, next }),
      (v) => {
        setCurrent('');
        setPair(EMPTY_PAIR);
        setDone(next === null ? 'Passphrase removed.' : has ? 'Passphrase changed.' : 'Passphrase set.');
        onView(v);
      },
    );
  };
  return (
    <details class="sub" data-testid="passphrase-details">
      <summary>{has ? 'Change or remove passphrase' : 'Set a passphrase'}</summary>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setDone(null);
          if (!pairReady(pair, false)) return action.setError(pair.value === '' ? 'Enter the new passphrase.' : 'The two passphrases differ.');
          submit(pair.value);
        }}
      >
        {has && (
          <>
            <label for={id}>Current passphrase</label>
            <input id={id} data-testid="current-pass" type="password" autocomplete="current-password" value={current} onInput={(e) => setCurrent(e.currentTarget.value)} />
          </>
        )}
        <PassphraseFields pair={pair} onChange={setPair} label="New passphrase" testPrefix="change-pass" />
        <ErrorLine error={action.error} testId="change-pass-error" />
        {done && <Notice testId="change-pass-done">{done}</Notice>}
        <div class="row">
          <button type="submit" class="primary" disabled={action.busy} data-testid="change-pass-submit">
            {has ? 'Change passphrase' : 'Set passphrase'}
          </button>
          {has && (
            <button type="button" disabled={action.busy} data-testid="remove-pass" onClick={() => submit(null)}>
              Remove passphrase
            </button>
          )}
        </div>
      </form>
    </details>
  );
}

function AutoLock({ view, onView }: { view: KeyringView; onView: (v: KeyringView) => void }) {
  const [minutes, setMinutes] = useState(String(view.autoLockMinutes ?? 30));
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const id = useId('autolock');
  useEffect(() => setMinutes(String(view.autoLockMinutes ?? 30)), [view.autoLockMinutes]);
  if (!view.hasPassphrase) return null;
  return (
    <form
      class="inline"
      onSubmit={(e) => {
        e.preventDefault();
        setSaved(false);
        const n = Number(minutes);
        if (!Number.isInteger(n) || n < 0 || n > 10_080) return action.setError('Enter whole minutes between 0 and 10080.');
        action.run(
          () => call('keyring:set-settings', { autoLockMinutes: n }),
          (s) => {
            setSaved(true);
            onView({ ...view, autoLockMinutes: s.autoLockMinutes });
          },
        );
      }}
    >
      <label for={id}>Lock after this many idle minutes (0 = never)</label>
      <input id={id} data-testid="autolock-minutes" type="number" min={0} max={10080} step={1} value={minutes} onInput={(e) => setMinutes(e.currentTarget.value)} />
      <button type="submit" disabled={action.busy} data-testid="autolock-save">
        Save
      </button>
      <ErrorLine error={action.error} />
      {saved && <Notice testId="autolock-saved">Saved.</Notice>}
    </form>
  );
}
