import { useEffect, useRef, useState } from 'preact/hooks';
import { fail, type Result } from '../../../lib/messaging';
import type { BackupPreviewView, KeyringView } from '../../../lib/messaging/views';
import { call } from '../api';
import { ErrorLine, Notice, useAction, useId } from './common';
import { PassphraseFields, pairReady, type PassphrasePair } from './PassphraseFields';

/** Same cap as the background's schema: anything larger is not a Veil backup. */
const MAX_FILE_CHARS = 2_000_000;

export function BackupPanel({ keyring, onChanged }: { keyring: KeyringView | null; onChanged: () => void }) {
  if (keyring?.state !== 'unlocked' || keyring.fingerprint === null) {
    return <p class="hint">{keyring?.state === 'locked' ? 'Unlock Veil to export or import a backup.' : 'Create your identity first.'}</p>;
  }
  return (
    <>
      <h3>Export</h3>
      <ExportBackup />
      <h3>Import</h3>
      <ImportBackup onChanged={onChanged} />
    </>
  );
}

function ExportBackup() {
  const [pair, setPair] = useState<PassphrasePair>({ value: '', confirm: '' });
  const [link, setLink] = useState<{ url: string; name: string } | null>(null);
  const action = useAction();
  useEffect(() => () => void (link && URL.revokeObjectURL(link.url)), [link]);
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (!pairReady(pair, false)) return action.setError(pair.value === '' ? 'A backup needs a passphrase.' : 'The two passphrases differ.');
        action.run(
          () => call('backup:export', { passphrase: pair.value }),
          ({ file, fileName }) => {
            const url = URL.createObjectURL(new Blob([file], { type: 'application/json' }));
            setLink({ url, name: fileName });
            setPair({ value: '', confirm: '' });
            // Start the download right away; the link stays for a second try.
            const a = document.createElement('a');
            a.href = url;
            a.download = fileName;
            a.click();
          },
        );
      }}
    >
      <p>
        The backup holds your identity, contacts and settings (not your messages), encrypted with the passphrase you choose
        here. Anyone with the file <em>and</em> its passphrase can pose as you: keep them apart.
      </p>
      <PassphraseFields pair={pair} onChange={setPair} label="Backup passphrase" testPrefix="export-pass" />
      <ErrorLine error={action.error} testId="export-error" />
      <button type="submit" class="primary" disabled={action.busy} data-testid="export">
        {action.busy ? 'Encrypting…' : 'Export backup'}
      </button>
      {link && (
        <Notice testId="export-done">
          Backup ready.{' '}
          <a href={link.url} download={link.name} data-testid="backup-download">
            Save {link.name} again
          </a>
        </Notice>
      )}
    </form>
  );
}

function ImportBackup({ onChanged }: { onChanged: () => void }) {
  const [file, setFile] = useState<{ name: string; text: string } | null>(null);
  const [pass, setPass] = useState('');
  const [preview, setPreview] = useState<BackupPreviewView | null>(null);
  const [replace, setReplace] = useState(false);
  const [summary, setSummary] = useState<string | null>(null);
  const check = useAction();
  const apply = useAction();
  const fileId = useId('import-file');
  const passId = useId('import-pass');
  const replaceId = useId('replace');
  // File and passphrase of the checked preview, kept only until it is applied or cancelled: a
  // suspended background forgets issued previews, and we can then check the same file again.
  const checked = useRef<{ file: string; passphrase: string } | null>(null);

  const reset = () => {
    setPreview(null);
    setReplace(false);
    checked.current = null;
  };

  const sameChanges = (a: BackupPreviewView, b: BackupPreviewView) =>
    JSON.stringify({ ...a, previewId: '' }) === JSON.stringify({ ...b, previewId: '' });

  /** Applies; if the background lost the preview, re-checks the same file and, when the changes
   *  are identical to what the user saw, applies that. Otherwise the user reviews again. */
  const applyPreview = async (p: BackupPreviewView): Promise<Result<{ summary: string }>> => {
    const replaceIdentity = p.identity === 'differs' && replace;
    const first = await call('backup:apply', { previewId: p.previewId, replaceIdentity });
    if (first.ok || first.error.code !== 'not-found' || !checked.current) return first;
    const again = await call('backup:preview', checked.current);
    if (!again.ok) return fail('not-found', 'Preview expired, please select the file again.');
    if (!sameChanges(again.value, p)) {
      setPreview(again.value);
      return fail('not-found', 'The backup was checked again and the changes differ: review them below.');
    }
    return call('backup:apply', { previewId: again.value.previewId, replaceIdentity });
  };

  return (
    <div>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setSummary(null);
          if (!file) return check.setError('Choose a backup file first.');
          if (pass === '') return check.setError('Enter the backup’s passphrase.');
          reset();
          const request = { file: file.text, passphrase: pass };
          check.run(() => call('backup:preview', request), (p) => {
            checked.current = request;
            setPreview(p);
            setPass('');
          });
        }}
      >
        <label for={fileId}>Backup file</label>
        <input
          id={fileId}
          data-testid="import-file"
          type="file"
          accept=".json,application/json"
          onChange={(e) => {
            reset();
            setSummary(null);
            check.setError(null);
            const f = e.currentTarget.files?.[0];
            if (!f) return setFile(null);
            if (f.size > MAX_FILE_CHARS * 4) return check.setError('This file is far too large to be a Veil backup.');
            void f
              .text()
              .then((text) => {
                if (text.length > MAX_FILE_CHARS) check.setError('This file is too large to be a Veil backup.');
                else setFile({ name: f.name, text });
              })
              .catch(() => check.setError('This file could not be read. Pick it again.'));
          }}
        />
        <label for={passId}>Backup passphrase</label>
        <input id={passId} data-testid="import-pass" type="password" autocomplete="off" value={pass} onInput={(e) => setPass(e.currentTarget.value)} />
        <ErrorLine error={check.error} testId="import-error" />
        <button type="submit" disabled={check.busy} data-testid="import-check">
          {check.busy ? 'Checking…' : 'Check backup'}
        </button>
      </form>

      {preview && (
        <form
          class="preview"
          data-testid="import-preview"
          onSubmit={(e) => {
            e.preventDefault();
            apply.run(
              () => applyPreview(preview),
              (r) => {
                setSummary(r.summary);
                reset();
                setFile(null);
                onChanged();
              },
            );
          }}
        >
          <p>
            <strong>Importing this backup will:</strong>
          </p>
          <ul>
            <li data-testid="preview-identity">
              {preview.identity === 'same' && 'Keep your identity (the backup’s is the same, or it has none).'}
              {preview.identity === 'new' && 'Restore the identity from the backup.'}
              {preview.identity === 'differs' && (
                <strong>The backup holds a different identity from yours. It is kept unless you tick the box below.</strong>
              )}
            </li>
            <li data-testid="preview-contacts">
              Add {preview.newContacts} contact{preview.newContacts === 1 ? '' : 's'}.
            </li>
            {preview.changedKeys.length > 0 && (
              <li class="warn-text">
                Keep your current key for {preview.changedKeys.map((c) => `${c.handle} (${c.site})`).join(', ')}: the backup
                has a different one. Verify them again.
              </li>
            )}
            <li>{preview.settingsChange ? 'Replace your settings with the backup’s.' : 'Leave your settings as they are.'}</li>
          </ul>
          {preview.identity === 'differs' && (
            <div class="alert">
              <input id={replaceId} type="checkbox" data-testid="replace-identity" checked={replace} onChange={(e) => setReplace(e.currentTarget.checked)} />{' '}
              <label for={replaceId} class="inline-label">
                Replace my current identity with the backup’s. Contacts who know my current key will see a key change.
              </label>
            </div>
          )}
          <ErrorLine error={apply.error} testId="apply-error" />
          <div class="row">
            <button type="submit" class="primary" disabled={apply.busy} data-testid="import-apply">
              Import
            </button>
            <button type="button" onClick={reset}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {summary && <Notice testId="import-done">{summary}</Notice>}
    </div>
  );
}
