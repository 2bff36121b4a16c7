// Proof that armor survives what chat sites do to text, using the real markdown-it with linkify,
// typographer and markdown-it-emoji (with emoticon shortcuts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ASCII_ALPHABET, TERMINATOR, armor, findArmor, makeQueryLine, parseQuery } from '../../../lib/armor/index.ts';
import { collapseWhitespace, insertEvery, pseudoBytes, renderToText, renderingAlters, splitAcrossElements } from './helpers.ts';

/** Human text full of things sites transform, placed around armor. */
const HAZARD_SNIPPETS = [
  '*bold* _it_ ~~gone~~ `code` \\escaped',
  '> quoted',
  '- item',
  '# heading',
  '1. numbered',
  'see example.com and www.test.org or mail bob@example.com',
  '@alice #veil //host/path http://x.io/a',
  'wait -- what... "quoted" \'single\' (c) (r) (tm) +- !!!! ???? ,,',
  ':) ;) 8-) :D :p <3 :/ x-) :smile: :-( >:(',
  '<b>html</b> &amp; &',
  'plain words',
  '',
];

const SEPARATORS = [' ', '\n', '\n\n', '  ', '\u00a0', ''];

function recovered(text: string): Uint8Array[] {
  return findArmor(text).flatMap((f) => (f.result.ok && f.result.value.kind === 'whole' ? [f.result.value.bytes] : []));
}

describe('harness can see transformations (negative controls)', () => {
  it('markdown-it really transforms the hazards the alphabet avoids', () => {
    const samples = ['a -- b', 'a...', '"q"', "'q'", '(c)', '(tm)', '+-', ':)', ';)', ':D', ':P', '<3', ':/', 'x-)', '8-)',
      '*x*', '_x_', '~~x~~', '`x`', '\\*', '[x](y)', 'x.com', 'a@b.io', '@alice', '#tag', '//host.io', 'http://x.io', '!!!!!',
      '????', ',,', '&amp;', '&#65;', ':smile:'];
    for (const s of samples) expect(renderingAlters(`w ${s} w`), s).toBe(true);
    for (const s of ['> q', '- i', '# h', '1. n', 'x\n===', '* i', '+ i']) expect(renderingAlters(s), s).toBe(true);
  });
});

describe('alphabet characters are inert under markdown-it (linkify + typographer + emoji shortcuts)', () => {
  const chars = [...ASCII_ALPHABET, TERMINATOR];
  it('each character alone, repeated, at line start and in pairs renders unchanged', () => {
    for (const breaks of [false, true]) {
      for (const a of chars) {
        for (const source of [a, a.repeat(5), `x\n${a}`, `${a}\nx`, `w ${a} w`, `x\n${a}\nx`]) {
          expect(renderingAlters(source, breaks), JSON.stringify(source)).toBe(false);
        }
        for (const b of chars) {
          for (const source of [`${a}${b}${a}`, `${a}${b}`, `${a}\n${b}`]) expect(renderingAlters(source, breaks), source).toBe(false);
        }
      }
    }
  });

  it('whole blocks of both alphabets render unchanged, with no links or markup', () => {
    for (const alphabet of ['ascii', 'dense'] as const) {
      for (let n = 0; n < 80; n++) expect(renderingAlters(armor(pseudoBytes(n * 7, n), alphabet))).toBe(false);
    }
  });
});

describe('armor survives rendering', () => {
  const alphabets = ['ascii', 'dense'] as const;

  it('render with hazardous human text around, then extract exact bytes (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 400 }),
        fc.constantFrom(...alphabets),
        fc.constantFrom(...HAZARD_SNIPPETS),
        fc.constantFrom(...HAZARD_SNIPPETS),
        fc.constantFrom(...SEPARATORS),
        fc.constantFrom(...SEPARATORS),
        fc.boolean(),
        (bytes, alphabet, before, after, sep1, sep2, breaks) => {
          const source = before + sep1 + armor(bytes, alphabet) + sep2 + after;
          const found = recovered(renderToText(source, breaks));
          expect(found.map((b) => Array.from(b))).toEqual([Array.from(bytes)]);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('line breaks inserted into the source every N characters, then rendered', () => {
    for (const alphabet of alphabets) {
      const bytes = pseudoBytes(200, 11);
      const block = armor(bytes, alphabet);
      for (let n = 1; n <= 40; n++) {
        for (const breaks of [false, true]) {
          const text = renderToText(insertEvery(block, n, '\n'), breaks);
          expect(recovered(text).map((b) => Array.from(b)), `n=${n}`).toEqual([Array.from(bytes)]);
        }
      }
    }
  });

  it('every transformation stacked: render, split across elements, breaks, zero-width, collapse, normalize (property)', () => {
    const inserts = ['\n', ' ', '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u00a0', '\u202f', '\r\n'];
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.constantFrom(...alphabets),
        fc.constantFrom(...HAZARD_SNIPPETS),
        fc.array(fc.nat(2000), { maxLength: 8 }),
        fc.integer({ min: 1, max: 50 }),
        fc.constantFrom(...inserts),
        fc.constantFrom('NFC', 'NFD', 'NFKC', 'NFKD', 'none'),
        fc.boolean(),
        (bytes, alphabet, human, cuts, every, insert, form, collapse) => {
          let text = renderToText(`${human} ${armor(bytes, alphabet)} ${human}`);
          text = splitAcrossElements(text, cuts);
          text = insertEvery(text, every, insert);
          if (collapse) text = collapseWhitespace(text);
          if (form !== 'none') text = text.normalize(form);
          expect(recovered(text).map((b) => Array.from(b))).toEqual([Array.from(bytes)]);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('several blocks in one rendered conversation are all found, in order', () => {
    const payloads = [pseudoBytes(10, 1), pseudoBytes(72, 2), pseudoBytes(0, 3), pseudoBytes(999, 4)];
    const source = payloads.map((p, i) => `Bob: hi :) -- ${armor(p, i % 2 ? 'dense' : 'ascii')} ok...`).join('\n\n');
    expect(recovered(renderToText(source)).map((b) => Array.from(b))).toEqual(payloads.map((p) => Array.from(p)));
  });

  it('the query line is detected after the same transformations', () => {
    const line = makeQueryLine({ name: 'Alice *the* _great_', url: 'https://veil.example/get', versions: [1, 2] });
    for (const breaks of [false, true]) {
      for (const n of [1, 3, 7, 50]) {
        let text = renderToText(`hey:) ${insertEvery(line, n, '\n')}`, breaks);
        text = insertEvery(text, 5, '\u200b').normalize('NFKC');
        expect(parseQuery(text)?.versions, `n=${n}`).toEqual([1, 2]);
      }
    }
  });
});
