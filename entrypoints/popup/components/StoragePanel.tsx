import { useEffect, useState } from 'preact/hooks';
import type { SettingsView } from '../../../lib/messaging/protocol';
import type { KeyringView } from '../../../lib/messaging/views';
import { call } from '../api';
import { ErrorLine, Notice, useAction, useId } from './common';

/** Retention, strict calls and clearing the plaintext cache (settings page). */
export function StoragePanel({ keyring }: { keyring: KeyringView | null }) {
  const [settings, setSettings] = useState<SettingsView | null>(null);
  const [retention, setRetention] = useState('');
  const [saved, setSaved] = useState(false);
  const [confirmClear, setConfirmClear] = useState(false);
  const [cleared, setCleared] = useState(false);
  const load = useAction();
  const save = useAction();
  const clear = useAction();
  const retentionId = useId('retention');
  const strictId = useId('strict');
  const unlocked = keyring?.state === 'unlocked';
  useEffect(() => {
    if (unlocked)
      load.run(() => call('keyring:get-settings', undefined), (s) => {
        setSettings(s);
        setRetention(String(s.retentionDays));
      });
  }, [unlocked]);
  if (!unlocked) return <p class="hint">Unlock Veil to change these settings.</p>;
  if (!settings) return <ErrorLine error={load.error} />;

  const update = (patch: { retentionDays?: number; strictCalls?: boolean }) => {
    setSaved(false);
    save.run(() => call('keyring:set-settings', patch), (s) => {
      setSettings(s);
      setRetention(String(s.retentionDays));
      setSaved(true);
    });
  };

  return (
    <>
      <p>
        Veil keeps decrypted messages, encrypted in this browser, so chat history stays readable after keys move on.
      </p>
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          const n = Number(retention);
          if (!Number.isInteger(n) || n < 0 || n > 3650) return save.setError('Enter whole days between 0 and 3650.');
          update({ retentionDays: n });
        }}
      >
        <label for={retentionId}>Delete cached messages older than this many days (0 = keep until space runs out)</label>
        <input id={retentionId} data-testid="retention-days" type="number" min={0} max={3650} value={retention} onInput={(e) => setRetention(e.currentTarget.value)} />
        <button type="submit" disabled={save.busy} data-testid="retention-save">
          Save
        </button>
      </form>
      <p class="check">
        <input id={strictId} type="checkbox" checked={settings.strictCalls} onChange={(e) => update({ strictCalls: e.currentTarget.checked })} />{' '}
        <label for={strictId} class="inline-label">
          Calls: refuse to send or show media unless encryption is confirmed to be running (recommended)
        </label>
      </p>
      <ErrorLine error={save.error} />
      {saved && <Notice testId="settings-saved">Saved.</Notice>}
      <h3>Clear cache</h3>
      <p>Deletes every cached decrypted message. Messages sent before now will show as “cannot be decrypted”.</p>
      <ErrorLine error={clear.error} />
      {cleared && <Notice testId="cache-cleared">Cache cleared.</Notice>}
      {confirmClear ? (
        <div class="row">
          <button
            type="button"
            class="danger"
            data-testid="clear-cache-confirm"
            disabled={clear.busy}
            onClick={() =>
              clear.run(() => call('cache:clear', undefined), () => {
                setConfirmClear(false);
                setCleared(true);
              })
            }
          >
            Yes, delete all cached messages
          </button>
          <button type="button" onClick={() => setConfirmClear(false)}>
            Cancel
          </button>
        </div>
      ) : (
        <button
          type="button"
          data-testid="clear-cache"
          onClick={() => {
            setCleared(false);
            setConfirmClear(true);
          }}
        >
          Clear all cached messages…
        </button>
      )}
    </>
  );
}
