import { useEffect, useState } from 'preact/hooks';
import type { KeyringView } from '../../lib/messaging/views';
import { call } from './api';

/** The keyring's state as the background reports it, refreshed on demand. */
export function useKeyring() {
  const [view, setView] = useState<KeyringView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = async () => {
    const r = await call('keyring:state', undefined);
    if (r.ok) {
      setError(null);
      setView(r.value);
    } else setError(r.error.message);
  };
  useEffect(() => void refresh(), []);
  return { view, setView, error, refresh };
}
