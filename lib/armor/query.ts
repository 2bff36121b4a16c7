import { isIgnorable, skipIgnorable } from './ignorable.ts';

/**
 * The query line starts encryption and explains itself to a person without Veil, like OTR's
 * "?OTRv3?". The machine-readable tag is "?VEILv" + one digit per supported version + "?",
 * e.g. "?VEILv1?". It uses only letters, digits and single '?' characters: no markdown, link,
 * typographer (runs of 4+ '?' would collapse, single ones do not) or emoticon trigger, and no
 * whitespace or zero-width tricks. Detection skips ignorable characters inside the tag.
 */
export const QUERY_TAG_START = '?VEILv';
export const QUERY_TAG_END = '?';

export interface QueryLineOptions {
  /** Supported protocol versions, 1..9. Default [1]. */
  versions?: number[];
  /** Display name of the person inviting; sanitized and shortened. Default "Someone". */
  name?: string;
  /** Where to get Veil (http or https URL without whitespace). */
  url: string;
}

export interface QueryFinding {
  versions: number[];
  start: number;
  end: number;
}

const MAX_NAME_CHARS = 64;

function sanitizeName(name: string | undefined): string {
  if (name === undefined) return 'Someone';
  let out = '';
  for (const ch of name) {
    const code = ch.codePointAt(0) as number;
    // Control characters and ignorables become spaces, so a name cannot forge line structure.
    out += code < 0x20 || (code >= 0x7f && code < 0xa0) || isIgnorable(code) ? ' ' : ch;
  }
  const trimmed = Array.from(out.replace(/ +/g, ' ').trim()).slice(0, MAX_NAME_CHARS).join('');
  return trimmed === '' ? 'Someone' : trimmed;
}

/** Throws RangeError on programmer error (bad versions or URL). */
export function makeQueryLine(opts: QueryLineOptions): string {
  const versions = opts.versions ?? [1];
  if (versions.length === 0 || versions.some((v) => !Number.isInteger(v) || v < 1 || v > 9)) {
    throw new RangeError('query versions must be integers 1..9');
  }
  if (!/^https?:\/\/\S+$/.test(opts.url)) throw new RangeError('query url must be an http(s) URL without whitespace');
  const tag = QUERY_TAG_START + [...new Set(versions)].sort((a, b) => a - b).join('') + QUERY_TAG_END;
  return `${tag} ${sanitizeName(opts.name)} wants an end-to-end encrypted chat with Veil. Get it at ${opts.url}`;
}

/** Matches `literal` at i, allowing ignorable characters between its characters. */
function matchLiteral(text: string, i: number, literal: string): number {
  for (let k = 0; k < literal.length; k++) {
    if (k > 0) i = skipIgnorable(text, i);
    if (text[i] !== literal[k]) return -1;
    i++;
  }
  return i;
}

/** Finds the first query tag in text (rendered or raw); null if there is none. */
export function parseQuery(text: string): QueryFinding | null {
  let start = text.indexOf('?');
  while (start >= 0) {
    let i = matchLiteral(text, start, QUERY_TAG_START);
    if (i >= 0) {
      const versions = new Set<number>();
      for (;;) {
        i = skipIgnorable(text, i);
        if (i >= text.length) break; // charCodeAt would give NaN, which passes no range test
        const code = text.charCodeAt(i);
        if (!(code >= 0x31 && code <= 0x39)) break;
        versions.add(code - 0x30);
        i++;
      }
      if (versions.size > 0 && text[i] === QUERY_TAG_END) {
        return { versions: [...versions].sort((a, b) => a - b), start, end: i + 1 };
      }
    }
    start = text.indexOf('?', start + 1);
  }
  return null;
}
