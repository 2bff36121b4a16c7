/**
 * The focus guard: once Veil has posted for a user typing in its compose frame, the site's
 * scripted re-focus of its editor is given back — however late it comes — until the user acts
 * on the page themselves.
 */
import { describe, expect, it } from 'vitest';
import { FocusGuard } from '../../../entrypoints/content/focus-guard';

class Place extends EventTarget {
  constructor(readonly name: string) {
    super();
  }
}

/** A page with the compose frame, the site's editor and another input; events carry a "user" flag. */
function setup() {
  const doc = new EventTarget();
  const compose = new Place('compose');
  const editor = new Place('editor');
  const search = new Place('search');
  let active: Place = compose;
  let refocused = 0;
  const keeper = {
    hasFocus: () => active === compose,
    refocus: () => {
      refocused++;
      active = compose;
    },
  };
  const guard = new FocusGuard({ keeper, isSiteEditor: (t) => t === editor, doc, isUserAction: (e) => (e as Event & { user?: boolean }).user === true });
  /** Focus moves (by script unless `user`), as the browser reports it to the page's document. */
  const focus = (to: Place): void => {
    active = to;
    const e = new Event('focusin');
    // EventTarget has no tree: the event reaches the document's listener with its target set.
    Object.defineProperty(e, 'target', { value: to });
    doc.dispatchEvent(e);
  };
  const userAction = (type: string, user = true): void => void doc.dispatchEvent(Object.assign(new Event(type), { user }));
  const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 5));
  return { guard, compose, editor, search, focus, userAction, settle, active: () => active.name, refocused: () => refocused };
}

describe('focus guard', () => {
  it('gives focus back after a late re-focus of the site editor (seconds after the post)', async () => {
    const s = setup();
    s.guard.arm();
    s.guard.borrow();
    s.focus(s.editor); // Veil's own insertion: allowed
    await s.settle();
    expect(s.active()).toBe('editor');
    s.guard.giveBack();
    expect(s.active()).toBe('compose');
    await new Promise((r) => setTimeout(r, 1200)); // longer than the old fixed 800 ms hold
    s.focus(s.editor);
    await s.settle();
    expect(s.active()).toBe('compose');
    expect(s.refocused()).toBe(2);
  });

  it('stops guarding once the user acts on the page, and re-arms on the next post', async () => {
    for (const action of ['pointerdown', 'mousedown', 'touchstart', 'keydown']) {
      const s = setup();
      s.guard.arm();
      s.userAction(action);
      expect(s.guard.isArmed).toBe(false);
      s.focus(s.editor); // the user clicked into the site's editor: theirs to keep
      await s.settle();
      expect(s.active()).toBe('editor');
      s.focus(s.compose);
      s.guard.arm();
      s.focus(s.editor);
      await s.settle();
      expect(s.active()).toBe('compose');
    }
  });

  it('ignores forged user actions and focus moving elsewhere than the site editor', async () => {
    const s = setup();
    s.guard.arm();
    s.userAction('pointerdown', false); // what a page script can dispatch (isTrusted false)
    s.userAction('keydown', false);
    expect(s.guard.isArmed).toBe(true);
    s.focus(s.search);
    await s.settle();
    expect(s.active()).toBe('search'); // keyboard users can still Tab out of the compose frame
    s.focus(s.compose);
    s.focus(s.editor);
    await s.settle();
    expect(s.active()).toBe('compose');
  });

  it('does nothing for a user who was not typing in the compose frame', async () => {
    const s = setup();
    s.focus(s.search);
    s.guard.arm(); // the compose frame did not have focus
    expect(s.guard.isArmed).toBe(false);
    s.focus(s.editor);
    await s.settle();
    expect(s.active()).toBe('editor');
    expect(s.refocused()).toBe(0);
  });
});
