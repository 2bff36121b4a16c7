// Shared test helpers: a deterministic PRNG and the "chat site" transformations armor must survive.
import MarkdownIt from 'markdown-it';
import { full as emojiPlugin } from 'markdown-it-emoji';

/** Deterministic bytes (xorshift32) so failures reproduce. */
export function pseudoBytes(length: number, seed: number): Uint8Array {
  let x = seed | 0 || 1;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 255;
  }
  return out;
}

type Markdown = InstanceType<typeof MarkdownIt>;

const HANDLE_RE = /^[A-Za-z0-9_]{1,32}/;

/** markdown-it as chat sites configure it: linkify (fuzzy links, emails, @handles, #tags), typographer, emoji shortcuts. */
export function makeMarkdown(breaks: boolean): Markdown {
  const md = new MarkdownIt({ html: false, linkify: true, typographer: true, breaks });
  md.use(emojiPlugin);
  md.linkify.set({ fuzzyLink: true, fuzzyEmail: true, fuzzyIP: true });
  for (const [prefix, base] of [['@', '/u/'], ['#', '/tag/']] as const) {
    md.linkify.add(prefix, {
      validate: (text: string, pos: number) => HANDLE_RE.exec(text.slice(pos))?.[0].length ?? 0,
      normalize: (match) => {
        match.url = base + match.url.slice(1);
      },
    });
  }
  return md;
}

const MD_SOFT = makeMarkdown(false);
const MD_BREAKS = makeMarkdown(true);

function decodeEntities(s: string): string {
  return s
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Concatenated text nodes of HTML, as a content script reading textContent would see them. */
export function htmlToText(html: string): string {
  return decodeEntities(html.replace(/<[^>]*>/g, ''));
}

export function renderHtml(source: string, breaks = false): string {
  return (breaks ? MD_BREAKS : MD_SOFT).render(source);
}

/** Renders like a markdown chat site and returns the displayed text. */
export function renderToText(source: string, breaks = false): string {
  return htmlToText(renderHtml(source, breaks));
}

/** True if rendering changed the text or created any element beyond paragraphs and line breaks. */
export function renderingAlters(source: string, breaks = false): boolean {
  const html = renderHtml(source, breaks);
  const markup = html.replace(/<\/?p>|<br>/g, '');
  return markup.includes('<') || htmlToText(html).trim() !== source;
}

/** Wraps pieces of text in elements (as sites split long words or link parts) and reads them back. */
export function splitAcrossElements(text: string, cuts: number[]): string {
  const points = [...new Set(cuts.map((c) => Math.min(text.length, Math.max(0, c))))].sort((a, b) => a - b);
  let html = '';
  let last = 0;
  for (const p of [...points, text.length]) {
    html += `<span class="chunk">${text.slice(last, p).replace(/&/g, '&amp;').replace(/</g, '&lt;')}</span>`;
    last = p;
  }
  return htmlToText(html);
}

export function insertEvery(text: string, n: number, insert: string): string {
  let out = '';
  for (let i = 0; i < text.length; i += n) out += (i > 0 ? insert : '') + text.slice(i, i + n);
  return out;
}

export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
