import { describe, expect, it } from 'vitest';
import { normalizeWhitespace, renderMessageHtml, splitLongWords } from '../../chat-site/render.ts';

/** Text a reader would see: tags removed, entities decoded. */
function visibleText(html: string): string {
  return html
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .trim();
}

describe('chat site rendering', () => {
  it('applies markdown and keeps raw HTML escaped', () => {
    expect(renderMessageHtml('a *b* _c_ **d** `e` ~~f~~')).toBe('<p>a <em>b</em> <em>c</em> <strong>d</strong> <code>e</code> <s>f</s></p>');
    expect(renderMessageHtml('<img src=x onerror=alert(1)>')).toBe('<p>&lt;img src=x onerror=alert(1)&gt;</p>');
    expect(renderMessageHtml('> quoted')).toContain('<blockquote>');
    expect(renderMessageHtml('- item')).toContain('<li>item</li>');
  });

  it('auto-links URLs, bare domains, e-mail, @handles and #tags', () => {
    const html = renderMessageHtml('see https://a.org/x?y=1 and example.com, mail me@b.io, @bob #tag');
    expect(html).toContain('<a href="https://a.org/x?y=1"');
    expect(html).toContain('<a href="http://example.com"');
    expect(html).toContain('<a href="mailto:me@b.io"');
    expect(html).toContain('<a href="/u/bob"');
    expect(html).toContain('<a href="/tag/tag"');
    expect(html).toContain('rel="noopener noreferrer nofollow"');
  });

  it('applies the typographer', () => {
    expect(visibleText(renderMessageHtml('a -- b --- "q" \'s\' (c) ...'))).toBe('a – b — “q” ‘s’ © …');
  });

  it('replaces emoji shortcodes and shortcuts', () => {
    expect(visibleText(renderMessageHtml(':) :D :smile: :P <3'))).toBe('😃 😄 😄 😛 ❤️');
  });

  it('collapses whitespace, trims, and strips zero-width characters', () => {
    expect(normalizeWhitespace('  a \t  b  \n\n\n\n  c\u200B\u200Dd\uFEFF  ')).toBe('a b\n\ncd');
    expect(renderMessageHtml('   ')).toBe('');
    expect(renderMessageHtml('one\ntwo')).toBe('<p>one<br>\ntwo</p>');
  });

  it('splits long unbroken words into span chunks without losing characters', () => {
    const word = 'Q'.repeat(45);
    expect(renderMessageHtml(`x ${word} y`)).toBe(
      `<p>x <span class="chunk">${'Q'.repeat(20)}</span><span class="chunk">${'Q'.repeat(20)}</span><span class="chunk">QQQQQ</span> y</p>`,
    );
    expect(renderMessageHtml(word, { chunk: 10 }).match(/class="chunk"/g)).toHaveLength(5);
    // Code points, not UTF-16 units: an emoji pair is never cut in half.
    const emojis = '⠁'.repeat(5) + '😀'.repeat(30);
    const html = splitLongWords(emojis, 7);
    expect(html).not.toMatch(/[\uD800-\uDBFF]<|>[\uDC00-\uDFFF]/);
    expect(visibleText(html)).toBe(emojis);
    // Short words and markup characters are escaped, not split.
    expect(splitLongWords('a<b c&d', 20)).toBe('a&lt;b c&amp;d');
  });

  it('splits the visible text of auto-links too', () => {
    const url = `https://example.org/${'a'.repeat(50)}`;
    const html = renderMessageHtml(url);
    expect(html).toMatch(/^<p><a href="https:\/\/example\.org\/a+" [^>]*><span class="chunk">/);
    expect(visibleText(html)).toBe(url);
  });
});
