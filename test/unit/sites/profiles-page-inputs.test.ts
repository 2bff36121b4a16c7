/**
 * Inputs the page side takes from outside: a frame's URL hash (the embedding page can rewrite
 * it), the background's tab:post payload, and the finder's "is this for Veil" decision.
 */
import { describe, expect, it } from 'vitest';
import { armor, makeQueryLine } from '../../../lib/armor';
import { parseFrameHash } from '../../../entrypoints/frame/params';
import { parsePostRequest } from '../../../entrypoints/content/post';
import { hasVeilText, normalizeEditorText } from '../../../entrypoints/content/text';

const TOKEN = 'abcdefghijklmnop_-12';

describe('frame hash', () => {
  it('reads the mode and token', () => {
    expect(parseFrameHash(`#c=${TOKEN}`)).toEqual({ mode: 'compose', token: TOKEN });
    expect(parseFrameHash(`#q=${TOKEN}`)).toEqual({ mode: 'query', token: TOKEN });
    const m = parseFrameHash(`#m=${TOKEN}&ff=${encodeURIComponent('"Segoe UI", sans-serif')}&fs=15px&fg=${encodeURIComponent('rgb(29, 31, 35)')}&bg=%23ffffff`);
    expect(m).toEqual({
      mode: 'message',
      token: TOKEN,
      style: { fontFamily: '"Segoe UI", sans-serif', fontSize: '15px', color: 'rgb(29, 31, 35)', background: '#ffffff' },
    });
  });

  it('rejects bad tokens and drops style values that are not plain CSS values', () => {
    expect(parseFrameHash('#m=short').mode).toBe('invalid');
    expect(parseFrameHash(`#m=${TOKEN}<x>`).mode).toBe('invalid');
    expect(parseFrameHash('').mode).toBe('invalid');
    const m = parseFrameHash(
      `#m=${TOKEN}&ff=${encodeURIComponent('x;background:url(https://evil)')}&fs=900px&fg=${encodeURIComponent('red;position:fixed')}&bg=${encodeURIComponent('url(x)')}`,
    );
    expect(m).toEqual({ mode: 'message', token: TOKEN, style: { fontFamily: null, fontSize: null, color: null, background: null } });
  });
});

describe('tab:post payload', () => {
  it('accepts texts and a known reason', () => {
    expect(parsePostRequest({ texts: ['a', 'b'], reason: 'handshake' })).toEqual({ texts: ['a', 'b'], reason: 'handshake' });
  });
  it.each([
    null,
    'x',
    { texts: [], reason: 'message' },
    { texts: [''], reason: 'message' },
    { texts: [1], reason: 'message' },
    { texts: ['a'], reason: 'other' },
    { texts: Array(65).fill('a'), reason: 'message' },
    { texts: ['a'.repeat(100_001)], reason: 'message' },
  ])('rejects %#', (data) => {
    expect(parsePostRequest(data)).toBeNull();
  });
});

describe('finder decision', () => {
  it('takes armor (even split by inserted spaces) and query lines, not prose', () => {
    const block = armor(new Uint8Array(64).fill(7), 'ascii');
    expect(hasVeilText(`look: ${block} ok`)).toBe(true);
    expect(hasVeilText(block.slice(0, 20) + ' ' + block.slice(20))).toBe(true);
    expect(hasVeilText(makeQueryLine({ url: 'https://veil.example/' }))).toBe(true);
    expect(hasVeilText('Volvo VL1 is a car model')).toBe(false);
    expect(hasVeilText('What? Very well?')).toBe(false);
    expect(hasVeilText('')).toBe(false);
  });
  it('normalizes editor fillers for comparison', () => {
    expect(normalizeEditorText('\uFEFFa\u00A0 b\n')).toBe('a b');
  });
});
