/**
 * Draws what the background said about one armored message: a lazy message frame, a query
 * prompt frame, or a short Veil status line. The site's own body element is hidden, not removed,
 * so the site's framework keeps its DOM. Labels are set as text, never HTML.
 */
import type { Badge, FoundDisplay } from '../../lib/messaging/views';
import { makeHost } from './dom';
import { createFrame, type FrameStyle } from './frames';

/** What Veil shows while it could not ask the background (not running yet, restarting). */
export type LocalDisplay = FoundDisplay | { kind: 'pending' };

const HIDDEN_ATTR = 'data-veil-hidden';
const BADGE_WORDS: Record<Badge, string> = {
  verified: '✔ verified',
  unverified: '● unverified',
  'key-changed': '⚠ key changed',
  undecryptable: '✖ could not decrypt',
  tampered: '✖ tampered',
  pending: '… pending',
  locked: '🔒 locked',
};

const hosts = new WeakMap<Element, HTMLElement>();
let visibility: IntersectionObserver | null = null;
const onVisible = new WeakMap<Element, () => void>();

function observeVisible(host: HTMLElement, fn: () => void): void {
  visibility ??= new IntersectionObserver(
    (entries) => {
      for (const e of entries) {
        if (!e.isIntersecting) continue;
        visibility?.unobserve(e.target);
        const run = onVisible.get(e.target);
        onVisible.delete(e.target);
        run?.();
      }
    },
    { rootMargin: '200px 0px' },
  );
  onVisible.set(host, fn);
  visibility.observe(host);
}

function isTransparent(c: string): boolean {
  return c === 'transparent' || /^rgba\(.*,\s*0\)$/.test(c);
}

/** The message body's look, so the frame's text matches the site's. */
export function styleOf(body: Element): FrameStyle {
  const cs = getComputedStyle(body);
  let background = cs.backgroundColor;
  for (let el = body.parentElement; el && isTransparent(background); el = el.parentElement) {
    background = getComputedStyle(el).backgroundColor;
  }
  return {
    fontFamily: cs.fontFamily,
    fontSize: cs.fontSize,
    color: cs.color,
    background: isTransparent(background) ? 'rgb(255, 255, 255)' : background,
  };
}

function statusLine(root: ShadowRoot, text: string, tone: 'info' | 'warn' | 'error'): void {
  const line = document.createElement('div');
  const color = tone === 'error' ? '#a1121f' : tone === 'warn' ? '#8a5a00' : '#44506a';
  line.style.cssText = `font:12px/1.5 system-ui,sans-serif;color:${color};border-left:3px solid ${color};padding:1px 6px;margin:2px 0;`;
  line.textContent = text.slice(0, 300);
  root.append(line);
}

function describe(d: LocalDisplay): { text: string; tone: 'info' | 'warn' | 'error' } | null {
  switch (d.kind) {
    case 'pending':
      return { text: '🔒 Veil message — Veil is not ready yet; it will show when Veil answers', tone: 'info' };
    case 'fragment':
      return { text: `🔒 Veil: part ${d.index + 1} of ${d.count}${d.complete ? ' (shown with part 1)' : ' (waiting for the other parts)'}`, tone: 'info' };
    case 'handshake':
      return { text: `🔒 Veil: ${d.label}`, tone: 'info' };
    case 'query':
      return d.token === null ? { text: d.fromSelf ? '🔒 You asked to start an encrypted chat' : '🔒 Veil: encrypted chat requested', tone: 'info' } : null;
    case 'error':
      return { text: `${BADGE_WORDS[d.badge] ?? '✖'} — Veil: ${d.label}`, tone: d.badge === 'locked' ? 'warn' : 'error' };
    case 'message':
      return null;
  }
}

/** Replaces what the page shows for one message body; `display` null removes Veil's drawing. */
export function showDisplay(body: Element, display: LocalDisplay | null): void {
  hosts.get(body)?.remove();
  hosts.delete(body);
  if (display === null) {
    unhide(body);
    return;
  }
  const { host, root } = makeHost('display');
  host.setAttribute('data-veil-display', display.kind);
  host.style.cssText = 'display:block;';
  const line = describe(display);
  if (line) statusLine(root, line.text, line.tone);
  if (display.kind === 'message' || (display.kind === 'query' && display.token !== null)) {
    const token = display.token as string;
    const mode = display.kind === 'message' ? 'm' : 'q';
    // Measured now: once hidden, the body has no computed look worth copying.
    const style = display.kind === 'message' ? styleOf(body) : undefined;
    const placeholder = document.createElement('div');
    placeholder.style.cssText = 'min-height:1.4em;font:12px system-ui;color:#888;';
    placeholder.textContent = '🔒 Veil';
    root.append(placeholder);
    observeVisible(host, () => {
      placeholder.replaceWith(createFrame(mode, token, style ? { style } : {}));
      host.setAttribute('data-veil-frame', mode);
    });
  }
  // A pending message keeps its ciphertext visible: nothing better to show yet.
  if (display.kind !== 'pending') hide(body);
  body.after(host);
  hosts.set(body, host);
}

function hide(body: Element): void {
  if (!(body instanceof HTMLElement) || body.hasAttribute(HIDDEN_ATTR)) return;
  body.setAttribute(HIDDEN_ATTR, '');
  body.style.setProperty('display', 'none', 'important');
}

function unhide(body: Element): void {
  if (!(body instanceof HTMLElement) || !body.hasAttribute(HIDDEN_ATTR)) return;
  body.removeAttribute(HIDDEN_ATTR);
  body.style.removeProperty('display');
}
