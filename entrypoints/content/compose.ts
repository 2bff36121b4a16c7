/**
 * The lock button beside the site's input, the Alt+Shift+E shortcut, and the compose frame
 * placed over the site's input. Only trusted (user) clicks and key presses open it; opening is
 * harmless anyway: the typing happens inside the extension-origin frame.
 */
import { messenger } from '../../lib/messaging';
import { ask } from './bg';
import { makeHost } from './dom';
import { createFrame } from './frames';
import type { PageAdapter } from './site';

const Z = '2147483647';
const MIN_COMPOSE_HEIGHT = 140;

export class Compose {
  private button: { host: HTMLElement; note: HTMLElement } | null = null;
  private overlay: HTMLElement | null = null;
  private frame: HTMLIFrameElement | null = null;
  private opening = false;

  constructor(
    private adapter: PageAdapter,
    private conversationId: () => string,
  ) {}

  start(): void {
    window.addEventListener(
      'keydown',
      (e) => {
        if (!e.isTrusted || !e.altKey || !e.shiftKey || e.ctrlKey || e.metaKey || e.code !== 'KeyE') return;
        e.preventDefault();
        e.stopPropagation();
        void this.open().catch(() => undefined);
      },
      true,
    );
    const reposition = (): void => this.place();
    window.addEventListener('resize', reposition, { passive: true });
    window.addEventListener('scroll', reposition, { passive: true, capture: true });
    this.place();
  }

  /** Called on every scan tick: keeps the button and frame on the (possibly re-rendered) editor. */
  place(): void {
    const editor = this.adapter.editor();
    if (!editor) {
      if (this.button) this.button.host.style.display = 'none';
      return;
    }
    const r = editor.getBoundingClientRect();
    const btn = this.ensureButton();
    Object.assign(btn.host.style, {
      display: r.width > 0 ? 'block' : 'none',
      left: `${Math.max(0, r.right - 30)}px`,
      top: `${Math.max(0, r.top + Math.min(6, r.height / 2 - 12))}px`,
    });
    if (this.overlay) {
      const h = Math.max(MIN_COMPOSE_HEIGHT, r.height);
      Object.assign(this.overlay.style, {
        left: `${r.left}px`,
        top: `${Math.max(0, r.bottom - h)}px`,
        width: `${Math.max(220, r.width)}px`,
        height: `${h}px`,
      });
    }
  }

  private ensureButton(): { host: HTMLElement; note: HTMLElement } {
    if (this.button?.host.isConnected) return this.button;
    const { host, root } = makeHost('compose-button');
    host.style.cssText = `position:fixed;z-index:${Z};width:24px;height:24px;`;
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = '🔒';
    b.title = 'Write an encrypted message with Veil (Alt+Shift+E)';
    b.setAttribute('aria-label', b.title);
    b.style.cssText = 'all:initial;cursor:pointer;font:16px/24px system-ui;width:24px;height:24px;text-align:center;border-radius:6px;background:#1f3a68;color:#fff;';
    b.addEventListener('click', (e) => {
      if (!e.isTrusted) return;
      void this.open().catch(() => undefined);
    });
    const note = document.createElement('div');
    note.style.cssText = 'position:absolute;right:0;bottom:28px;white-space:nowrap;font:12px system-ui;background:#fde7e9;color:#a1121f;padding:4px 8px;border-radius:6px;display:none;';
    root.append(b, note);
    document.documentElement.append(host);
    this.button = { host, note };
    return this.button;
  }

  private flash(message: string): void {
    const { note } = this.ensureButton();
    note.textContent = message.slice(0, 200);
    note.style.display = 'block';
    setTimeout(() => (note.style.display = 'none'), 5000);
  }

  isOpen(): boolean {
    return this.overlay !== null;
  }

  /** True while the user's focus is in Veil's compose frame. */
  hasFocus(): boolean {
    return this.overlay !== null && document.activeElement === this.overlay;
  }

  /** Gives focus back to the compose frame (after Veil used the site's editor to post). */
  refocus(): void {
    this.frame?.focus();
  }

  close(): void {
    this.overlay?.remove();
    this.overlay = null;
    this.frame = null;
    this.adapter.editor()?.focus();
  }

  async open(): Promise<void> {
    if (this.overlay || this.opening) return;
    this.opening = true;
    try {
      const reply = await ask(() => messenger.sendMessage('content:open-compose', { conversationId: this.conversationId() }));
      if (reply === null) return this.flash('Veil is not ready yet. Try again in a moment.');
      if (!reply.ok) return this.flash(`Veil: ${reply.error.message}`);
      const token = reply.value.token;
      if (typeof token !== 'string' || !/^[A-Za-z0-9_-]{16,64}$/.test(token)) return;
      const { host, root } = makeHost('compose');
      host.style.cssText = `position:fixed;z-index:${Z};box-shadow:0 2px 12px rgba(0,0,0,.25);border-radius:8px;overflow:hidden;background:#fff;`;
      const iframe = createFrame('c', token, { onClose: () => this.close() });
      iframe.style.height = '100%';
      root.append(iframe);
      document.documentElement.append(host);
      this.overlay = host;
      this.frame = iframe;
      this.place();
      iframe.focus();
    } finally {
      this.opening = false;
    }
  }
}
