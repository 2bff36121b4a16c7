import { type BlockKind, matchPrefix, readPayload } from './block.ts';
import { type Fragment, decodeFragmentPayload } from './fragment.ts';
import { skipIgnorable } from './ignorable.ts';
import { fail, ok, type Result } from '../result.ts';
import type { ArmorError } from './errors.ts';

export type ArmorPayload = { kind: 'whole'; bytes: Uint8Array } | ({ kind: 'fragment' } & Fragment);

export interface ArmorFinding {
  /** Index of the prefix's 'V' in the searched text. */
  start: number;
  /** Index just after the terminator (or where reading stopped, for an error). */
  end: number;
  result: Result<ArmorPayload, ArmorError>;
}

function toPayload(kind: BlockKind, bytes: Result<Uint8Array, ArmorError>): Result<ArmorPayload, ArmorError> {
  if (!bytes.ok) return bytes;
  if (kind === 'whole') return ok({ kind: 'whole', bytes: bytes.value });
  const frag = decodeFragmentPayload(bytes.value);
  return frag.ok ? ok({ kind: 'fragment', ...frag.value }) : frag;
}

/**
 * Finds and decodes every armor block in text (typically the concatenated text nodes of a rendered
 * message). Human text around blocks is ignored; ignorable characters (whitespace, zero-width, soft
 * hyphen, NBSP, bidi marks) inside a block are skipped. A matched prefix whose block cannot be
 * decoded yields an error finding, so a caller can say "this Veil message was damaged".
 * Linear time: scanning resumes where the previous block stopped.
 */
export function findArmor(text: string): ArmorFinding[] {
  const findings: ArmorFinding[] = [];
  let i = text.indexOf('V');
  while (i >= 0) {
    const prefix = matchPrefix(text, i);
    if (prefix === null) {
      i = text.indexOf('V', i + 1);
      continue;
    }
    const raw = readPayload(text, prefix.next);
    findings.push({ start: i, end: raw.end, result: toPayload(prefix.kind, raw.result) });
    i = text.indexOf('V', Math.max(raw.end, i + 1));
  }
  return findings;
}

/** Decodes text that is exactly one block (ignorable characters allowed around and inside). */
export function dearmor(text: string): Result<ArmorPayload, ArmorError> {
  const start = skipIgnorable(text, 0);
  const prefix = matchPrefix(text, start);
  if (prefix === null) return fail('bad-prefix', 'text does not start with a Veil armor prefix');
  const raw = readPayload(text, prefix.next);
  if (!raw.result.ok) return raw.result;
  if (skipIgnorable(text, raw.end) !== text.length) return fail('trailing-data', 'characters after the armor block');
  return toPayload(prefix.kind, raw.result);
}
