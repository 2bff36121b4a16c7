import { useEffect, useState } from 'preact/hooks';
import type { KeyringView } from '../../lib/messaging/views';
import { call } from './api';

/** The keyring's state as the background reports it, refreshed on demand. */
export function useKeyring() {
  const [view, setView] = useState<KeyringView | null>(null);
  const [error, setError] = useState<string | null>(null);
  /** Asks again; `call` never rejects, so only a bug in here could, and that is shown too. */
  const refresh = (): void =>
    void call('keyring:state', undefined)
      .then((r) => {
        if (r.ok) {
          setError(null);
          setView(r.value);
        } else setError(r.error.message);
      })
      .catch((e: unknown) => setError(String(e)));
  useEffect(refresh, []);
  return { view, setView, error, refresh };
}
