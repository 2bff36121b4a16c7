/**
 * The frame's URL hash: its mode and token, and for message frames the page's text style.
 * The hash is set by Veil's content script but readable and writable by the page that embeds the
 * frame, so every value is validated; styles are applied as single CSS property values only.
 */
export type FrameParams =
  | { mode: 'message'; token: string; style: FrameStyle }
  | { mode: 'compose'; token: string }
  | { mode: 'query'; token: string }
  | { mode: 'invalid' };

export interface FrameStyle {
  fontFamily: string | null;
  fontSize: string | null;
  color: string | null;
  background: string | null;
}

const TOKEN_RE = /^[A-Za-z0-9_-]{16,64}$/;
const COLOR_RE = /^(?:#[0-9a-fA-F]{3,8}|rgba?\(\s*[\d.]+%?\s*,\s*[\d.]+%?\s*,\s*[\d.]+%?\s*(?:,\s*[\d.]+%?\s*)?\)|rgba?\([\d.%\s/]+\)|[a-zA-Z]{3,20})$/;
const SIZE_RE = /^\d{1,3}(?:\.\d{1,3})?px$/;
const FONT_RE = /^[A-Za-z0-9 ,"'_-]{1,200}$/;

function pick(v: string | null, re: RegExp): string | null {
  return v !== null && re.test(v) ? v : null;
}

export function parseFrameHash(hash: string): FrameParams {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const token = (k: string): string | null => pick(p.get(k), TOKEN_RE);
  const m = token('m');
  if (m) {
    const fs = pick(p.get('fs'), SIZE_RE);
    const size = fs !== null && Number.parseFloat(fs) >= 8 && Number.parseFloat(fs) <= 48 ? fs : null;
    return {
      mode: 'message',
      token: m,
      style: { fontFamily: pick(p.get('ff'), FONT_RE), fontSize: size, color: pick(p.get('fg'), COLOR_RE), background: pick(p.get('bg'), COLOR_RE) },
    };
  }
  const c = token('c');
  if (c) return { mode: 'compose', token: c };
  const q = token('q');
  if (q) return { mode: 'query', token: q };
  return { mode: 'invalid' };
}
