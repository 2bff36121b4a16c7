import { describe, expect, it } from 'vitest';
import { guardHandler, ok, type RawSender } from '../../../lib/messaging';

const ctx = { extensionId: 'veil-id', extensionOrigin: 'chrome-extension://veil-id' };
const contentSender: RawSender = { id: 'veil-id', url: 'https://chat.example/room/1', tab: { id: 7, url: 'https://chat.example/room/1' }, frameId: 0 };
const popupSender: RawSender = { id: 'veil-id', url: 'chrome-extension://veil-id/popup.html' };

const hello = guardHandler('content:hello', ctx, (data, role) => ok({ data, role }));
const status = guardHandler('page:status', ctx, () => ok('status'));

describe('guardHandler', () => {
  it('passes a valid content message with the sender role derived from the browser', async () => {
    const r = await hello({ data: { href: 'https://chat.example/room/1', hookSeen: true }, sender: contentSender });
    expect(r).toEqual({
      ok: true,
      value: {
        data: { href: 'https://chat.example/room/1', hookSeen: true },
        role: { kind: 'content', tabId: 7, frameId: 0, origin: 'https://chat.example' },
      },
    });
  });

  it.each([
    ['missing data', undefined],
    ['wrong type', { href: 5, hookSeen: true }],
    ['extra keys (a claimed tab id)', { href: 'x', hookSeen: false, tabId: 1 }],
    ['oversized string', { href: 'x'.repeat(5000), hookSeen: false }],
    ['array', []],
    ['null', null],
    ['prototype pollution shape', JSON.parse('{"__proto__": {"ok": true}, "href": "x", "hookSeen": true}')],
  ])('rejects %s with a typed error', async (_name, data) => {
    const r = await hello({ data, sender: contentSender });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('invalid-message');
  });

  it('rejects messages from another extension or without a sender', async () => {
    for (const sender of [{ ...contentSender, id: 'evil' }, undefined as unknown as RawSender, {} as RawSender]) {
      const r = await hello({ data: { href: 'x', hookSeen: false }, sender });
      expect(r).toMatchObject({ ok: false, error: { code: 'forbidden-sender' } });
    }
  });

  it('does not let a content script send extension-page messages', async () => {
    const r = await status({ data: undefined, sender: contentSender });
    expect(r).toMatchObject({ ok: false, error: { code: 'forbidden-sender' } });
    expect(await status({ data: undefined, sender: popupSender })).toEqual({ ok: true, value: 'status' });
  });

  it('does not let an extension page pose as a content script', async () => {
    const r = await hello({ data: { href: 'x', hookSeen: false }, sender: popupSender });
    expect(r).toMatchObject({ ok: false, error: { code: 'forbidden-sender' } });
  });

  it('rejects content messages from non-web or tabless senders', async () => {
    const fileSender = { ...contentSender, url: 'file:///etc/passwd' };
    const tabless = { ...contentSender, tab: undefined };
    for (const sender of [fileSender, tabless]) {
      expect(await hello({ data: { href: 'x', hookSeen: false }, sender })).toMatchObject({ ok: false, error: { code: 'forbidden-sender' } });
    }
  });

  it('turns a throwing handler into a typed internal error', async () => {
    const boom = guardHandler('page:status', ctx, () => {
      throw new Error('kaboom');
    });
    expect(await boom({ data: undefined, sender: popupSender })).toEqual({ ok: false, error: { code: 'internal', message: 'kaboom' } });
  });
});
