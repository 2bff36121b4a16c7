/**
 * Veil's iframes in the page and the only page messages Veil acts on: a frame's height and a
 * compose frame's close request, accepted only from the contentWindow of an iframe this script
 * created, with the extension's origin, naming that frame's own token.
 */
import { browser } from 'wxt/browser';
import { extensionOrigin } from './dom';

export type FrameMode = 'm' | 'c' | 'q';

interface FrameEntry {
  iframe: HTMLIFrameElement;
  token: string;
  mode: FrameMode;
  onClose?: () => void;
}

const MIN_HEIGHT = 20;
const MAX_HEIGHT = 2400;
const frames = new Set<FrameEntry>();
let listening = false;

export function frameOrigin(): string {
  return extensionOrigin(browser.runtime.getURL('/'));
}

/** Style hints for a message frame, carried in the URL hash (no plaintext in them). */
export interface FrameStyle {
  fontFamily: string;
  fontSize: string;
  color: string;
  background: string;
}

export function frameUrl(mode: FrameMode, token: string, style?: FrameStyle): string {
  const params = new URLSearchParams({ [mode]: token });
  if (style) {
    params.set('ff', style.fontFamily.slice(0, 200));
    params.set('fs', style.fontSize.slice(0, 16));
    params.set('fg', style.color.slice(0, 64));
    params.set('bg', style.background.slice(0, 64));
  }
  return `${browser.runtime.getURL('/frame.html')}#${params.toString()}`;
}

function onMessage(event: MessageEvent): void {
  if (event.origin !== frameOrigin()) return;
  let entry: FrameEntry | undefined;
  for (const f of frames) {
    if (!f.iframe.isConnected) frames.delete(f);
    else if (event.source !== null && f.iframe.contentWindow === event.source) entry = f;
  }
  if (!entry) return;
  const data: unknown = event.data;
  if (typeof data !== 'object' || data === null) return;
  const msg = data as { veilFrameHeight?: unknown; veilFrameClose?: unknown; token?: unknown };
  if (entry.mode !== 'c' && typeof msg.veilFrameHeight === 'number' && msg.token === entry.token && Number.isFinite(msg.veilFrameHeight)) {
    const h = Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, Math.ceil(msg.veilFrameHeight)));
    entry.iframe.style.height = `${h}px`;
  } else if (msg.veilFrameClose === entry.token && entry.mode === 'c') {
    entry.onClose?.();
  }
}

/** Creates a Veil frame (not yet in the document) and registers it for height/close messages. */
export function createFrame(mode: FrameMode, token: string, opts: { style?: FrameStyle; onClose?: () => void } = {}): HTMLIFrameElement {
  if (!listening) {
    window.addEventListener('message', onMessage);
    listening = true;
  }
  const iframe = document.createElement('iframe');
  iframe.src = frameUrl(mode, token, opts.style);
  iframe.setAttribute('title', mode === 'c' ? 'Veil: write an encrypted message' : 'Veil message');
  iframe.style.cssText = 'display:block;width:100%;border:0;margin:0;padding:0;background:transparent;color-scheme:normal;';
  iframe.style.height = mode === 'c' ? '140px' : '28px';
  frames.add({ iframe, token, mode, ...(opts.onClose ? { onClose: opts.onClose } : {}) });
  return iframe;
}

export function frameCount(): number {
  return frames.size;
}
