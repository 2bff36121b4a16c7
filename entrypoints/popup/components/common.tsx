import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { Result } from '../../../lib/messaging';

/** A visible, announced error line (or nothing). */
export function ErrorLine({ error, testId }: { error: string | null; testId?: string }) {
  if (!error) return null;
  return (
    <p role="alert" class="error" data-testid={testId}>
      {error}
    </p>
  );
}

export function Notice({ children, testId }: { children: ComponentChildren; testId?: string }) {
  return (
    <p role="status" class="notice" data-testid={testId}>
      {children}
    </p>
  );
}

/**
 * Runs one background call at a time for a form: tracks busy state and the error message, and
 * hands a successful value to `onOk`. Fire and forget for the caller: every outcome, failures
 * included, ends up in `busy` and `error`.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  function run<T>(fn: () => Promise<Result<T>>, onOk: (value: T) => void): void {
    setBusy(true);
    setError(null);
    const go = async (): Promise<void> => {
      const r = await fn();
      if (r.ok) onOk(r.value);
      else setError(r.error.message);
    };
    void go()
      .catch(() => setError('Something went wrong. Try again.'))
      .finally(() => setBusy(false));
  }
  return { busy, error, setError, run };
}

let nextId = 0;
/** Stable unique ids for label/input pairs (the popup and settings can show a form twice). */
export function useId(prefix: string): string {
  const [id] = useState(() => `${prefix}-${++nextId}`);
  return id;
}
