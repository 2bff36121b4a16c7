/**
 * Keeps the user's keystrokes out of the site's editor while they type in Veil's compose frame.
 *
 * Veil posts by borrowing the site's editor, and sites re-focus their editor after a send — some
 * a frame later, some after a re-render that a slow or busy machine delays by seconds. Focus that
 * lands in the site's editor without the user asking for it would send their next keystrokes
 * (plaintext) to the page. So once Veil has posted for a user typing in the compose frame, any
 * scripted move of focus into the site's editor is given straight back — not for a fixed time,
 * but until the user acts on the page themselves (a real click, touch or key press in the page
 * document; keystrokes inside the compose frame never reach the page's document).
 */

/** Where the user is typing (Veil's compose frame). */
export interface FocusKeeper {
  hasFocus(): boolean;
  refocus(): void;
}

/** The events the guard listens to (the page's document; an EventTarget in unit tests). */
export interface GuardedDocument {
  addEventListener(type: string, listener: (e: Event) => void, capture: boolean): void;
}

const USER_ACTIONS = ['pointerdown', 'mousedown', 'touchstart', 'keydown'] as const;

export class FocusGuard {
  private armed = false;
  private borrowed = false;

  private readonly keeper: FocusKeeper;
  private readonly isSiteEditor: (target: EventTarget | null) => boolean;
  private readonly isUserAction: (e: Event) => boolean;

  constructor(o: {
    keeper: FocusKeeper;
    /** True for a focus target inside the site's message editor. */
    isSiteEditor: (target: EventTarget | null) => boolean;
    doc?: GuardedDocument;
    /** True for an event the user caused (the browser's isTrusted; the page's scripts cannot forge it). */
    isUserAction?: (e: Event) => boolean;
  }) {
    this.keeper = o.keeper;
    this.isSiteEditor = o.isSiteEditor;
    this.isUserAction = o.isUserAction ?? ((e) => e.isTrusted);
    const doc = o.doc ?? document;
    doc.addEventListener('focusin', (e) => this.onFocusIn(e), true);
    for (const type of USER_ACTIONS) doc.addEventListener(type, (e) => this.isUserAction(e) && this.disarm(), true);
  }

  /** A post starts: if the user is in the compose frame, keep them there from now on. */
  arm(): void {
    if (this.keeper.hasFocus()) this.armed = true;
  }

  disarm(): void {
    this.armed = false;
  }

  get isArmed(): boolean {
    return this.armed;
  }

  /** Veil itself needs the site's editor focused for an insertion. */
  borrow(): void {
    this.borrowed = true;
  }

  /** The insertion is done: focus goes back to the compose frame at once. */
  giveBack(): void {
    this.borrowed = false;
    if (this.armed && !this.keeper.hasFocus()) this.keeper.refocus();
  }

  private onFocusIn(e: Event): void {
    if (!this.armed || this.borrowed || !this.isSiteEditor(e.target)) return;
    // After the site's own focus handling has run (it may move the caret in the same task).
    setTimeout(() => this.armed && !this.borrowed && !this.keeper.hasFocus() && this.keeper.refocus(), 0);
  }
}
