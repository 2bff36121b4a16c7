/**
 * Characters a site may insert into (or around) armor without meaning anything: whitespace of
 * every kind (line wrapping, collapsing, NBSP), soft hyphens, zero-width characters, bidi marks
 * and the BOM. The armor alphabets contain none of them, so extraction skips them everywhere.
 */
const IGNORABLE = (() => {
  const table = new Uint8Array(0x10000);
  const ranges: Array<[number, number]> = [
    [0x09, 0x0d], // tab, LF, VT, FF, CR
    [0x20, 0x20],
    [0x85, 0x85], // next line
    [0xa0, 0xa0], // NBSP
    [0xad, 0xad], // soft hyphen
    [0x34f, 0x34f], // combining grapheme joiner
    [0x61c, 0x61c], // Arabic letter mark
    [0x1680, 0x1680],
    [0x180e, 0x180e], // Mongolian vowel separator
    [0x2000, 0x200f], // spaces, ZWSP, ZWNJ, ZWJ, LRM, RLM
    [0x2028, 0x202f], // line/paragraph separators, bidi embeddings, narrow NBSP
    [0x205f, 0x2064], // medium math space, word joiner, invisible operators
    [0x2066, 0x2069], // bidi isolates
    [0x3000, 0x3000], // ideographic space
    [0xfeff, 0xfeff], // BOM / zero-width no-break space
  ];
  for (const [lo, hi] of ranges) table.fill(1, lo, hi + 1);
  return table;
})();

export function isIgnorable(code: number): boolean {
  return IGNORABLE[code] === 1;
}

/** Index of the first non-ignorable code unit at or after i (text.length if none). */
export function skipIgnorable(text: string, i: number): number {
  while (i < text.length && IGNORABLE[text.charCodeAt(i)] === 1) i++;
  return i;
}
