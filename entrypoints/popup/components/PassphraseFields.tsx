import { strengthHint } from '../strength';
import { useId } from './common';

export interface PassphrasePair {
  value: string;
  confirm: string;
}

/** New passphrase + confirmation + strength hint. Empty means "no passphrase" where allowed. */
export function PassphraseFields({
  pair,
  onChange,
  label,
  testPrefix,
  emptyMeansNone = false,
}: {
  pair: PassphrasePair;
  onChange: (p: PassphrasePair) => void;
  label: string;
  testPrefix: string;
  /** The form accepts an empty passphrase as "none": then say what that means. */
  emptyMeansNone?: boolean;
}) {
  const id = useId(testPrefix);
  const hint = strengthHint(pair.value);
  const mismatch = pair.confirm.length > 0 && pair.confirm !== pair.value;
  return (
    <div class="fields">
      <label for={`${id}-new`}>{label}</label>
      <input
        id={`${id}-new`}
        data-testid={`${testPrefix}-new`}
        type="password"
        autocomplete="new-password"
        value={pair.value}
        aria-describedby={`${id}-hint`}
        onInput={(e) => onChange({ ...pair, value: e.currentTarget.value })}
      />
      <p id={`${id}-hint`} class={`hint strength-${hint.level}`} data-testid={`${testPrefix}-strength`}>
        {hint.level === 'empty' && !emptyMeansNone ? '' : hint.text}
      </p>
      <label for={`${id}-confirm`}>Repeat it</label>
      <input
        id={`${id}-confirm`}
        data-testid={`${testPrefix}-confirm`}
        type="password"
        autocomplete="new-password"
        value={pair.confirm}
        aria-invalid={mismatch}
        onInput={(e) => onChange({ ...pair, confirm: e.currentTarget.value })}
      />
      {mismatch && <p class="hint error">The two passphrases differ.</p>}
    </div>
  );
}

export function pairReady(p: PassphrasePair, allowEmpty: boolean): boolean {
  return p.value === p.confirm && (allowEmpty || p.value.length > 0);
}
