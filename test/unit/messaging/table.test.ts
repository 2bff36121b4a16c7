/**
 * The message table decides everything the guard checks. These tests hold the guard to a small
 * spec written here independently (which kinds of sender each `from` admits), for every message
 * in the table, and check that handlers get the sender narrowed to what their entry allows.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  guardAll,
  guardFromBackground,
  guardHandler,
  messages,
  ok,
  registerHandlers,
  type BackgroundMessage,
  type Handler,
  type MessageRegistrar,
  type RawSender,
  type SenderOf,
} from '../../../lib/messaging';

const ctx = { extensionId: 'veil-id', extensionOrigin: 'chrome-extension://veil-id' };
const page = (path: string, tab?: number): RawSender => ({ id: 'veil-id', url: `chrome-extension://veil-id${path}`, ...(tab === undefined ? {} : { tab: { id: tab } }) });
const SENDERS = {
  topContent: { id: 'veil-id', url: 'https://chat.example/room', tab: { id: 7 }, frameId: 0 },
  subframeContent: { id: 'veil-id', url: 'https://chat.example/embed', tab: { id: 7 }, frameId: 3 },
  frameInTab: page('/frame.html#m=x', 7),
  frameWithoutTab: page('/frame.html'),
  popup: page('/popup.html'),
  optionsInTab: page('/options.html', 4),
  otherPage: page('/other.html'),
} satisfies Record<string, RawSender>;
type SenderName = keyof typeof SENDERS;

/** The spec: which senders each kind of `from` admits. */
const ADMITS: Record<string, readonly SenderName[]> = {
  content: ['topContent', 'subframeContent'],
  'top-content': ['topContent'],
  frame: ['frameInTab'],
  page: ['frameInTab', 'frameWithoutTab', 'popup', 'optionsInTab', 'otherPage'],
  'user-page': ['popup', 'optionsInTab'],
};

const backgroundTypes = (Object.keys(messages) as Array<keyof typeof messages>).filter((t): t is BackgroundMessage => messages[t].from !== 'background');

describe('the message table', () => {
  it('names a known kind of sender for every message', () => {
    for (const [type, m] of Object.entries(messages)) expect([...Object.keys(ADMITS), 'background'], type).toContain(m.from);
    expect(backgroundTypes.length).toBeGreaterThan(30);
  });

  it('user actions come only from the popup or settings; frame messages only from a frame in a tab', () => {
    for (const type of ['keyring:unlock', 'keyring:create', 'backup:apply', 'contacts:mark-verified', 'cache:clear'] as const) expect(messages[type].from).toBe('user-page');
    for (const type of ['frame:message', 'frame:compose-send', 'frame:answer-query', 'frame:call-state'] as const) expect(messages[type].from).toBe('frame');
    for (const type of ['content:call-keys', 'content:call-status', 'content:call-ended'] as const) expect(messages[type].from).toBe('top-content');
  });

  it.each(backgroundTypes)('%s: the guard admits exactly the senders its entry names', async (type) => {
    const seen: unknown[] = [];
    const guarded = guardHandler(type, ctx, (_data, sender) => {
      seen.push(sender);
      return ok(null);
    });
    for (const [name, sender] of Object.entries(SENDERS) as Array<[SenderName, RawSender]>) {
      // A body that fails every schema but `undefined` ones: the sender is judged first.
      const r = await guarded({ data: Symbol('not a body'), sender });
      const admitted = ADMITS[messages[type].from]!.includes(name);
      if (admitted) expect(r, `${type} from ${name}`).toMatchObject({ ok: false, error: { code: 'invalid-message' } });
      else expect(r, `${type} from ${name}`).toMatchObject({ ok: false, error: { code: 'forbidden-sender' } });
    }
    expect(seen).toEqual([]);
  });

  it('hands the handler the sender it may rely on, without re-checking', async () => {
    const got: unknown[] = [];
    const keys = guardHandler('content:call-keys', ctx, (_d, sender) => {
      got.push(sender);
      return ok(null);
    });
    const body = { callRef: 'abcdefgh', local: ['fp'], remote: ['fp'], localIce: '0'.repeat(64), remoteIce: '1'.repeat(64) };
    await keys({ data: body, sender: SENDERS.topContent });
    const frame = guardHandler('frame:message', ctx, (_d, sender) => {
      got.push(sender);
      return ok(null);
    });
    await frame({ data: { token: 'a'.repeat(32) }, sender: SENDERS.frameInTab });
    expect(got).toEqual([
      { kind: 'content', tabId: 7, frameId: 0, origin: 'https://chat.example' },
      { kind: 'extension-page', path: '/frame.html', tabId: 7 },
    ]);
    // Statically: a content handler's sender has its tab and origin; a frame's has a tab id.
    expectTypeOf<SenderOf<'content:found'>>().toEqualTypeOf<{ kind: 'content'; tabId: number; frameId: number; origin: string }>();
    expectTypeOf<SenderOf<'content:call-keys'>['frameId']>().toEqualTypeOf<0>();
    expectTypeOf<SenderOf<'frame:message'>['tabId']>().toEqualTypeOf<number>();
    expectTypeOf<SenderOf<'keyring:lock'>['tabId']>().toEqualTypeOf<number | null>();
    expectTypeOf<Parameters<Handler<'frame:compose-send'>>[0]>().toEqualTypeOf<{ token: string; text: string }>();
  });

  it('registers one guarded handler per entry of the map, under its own name', async () => {
    const registered = new Map<string, (m: { data: unknown; sender: RawSender }) => unknown>();
    const messenger: MessageRegistrar = { onMessage: ((type: string, fn: (m: { data: unknown; sender: RawSender }) => unknown) => registered.set(type, fn)) as MessageRegistrar['onMessage'] };
    registerHandlers(messenger, ctx, {
      'page:status': () => ok({ version: '1', backgroundStartedAt: 0, enabledOrigins: [] }),
      'keyring:lock': () => ok({ state: 'locked', hasPassphrase: true, fingerprint: null, autoLockMinutes: null }),
    });
    expect([...registered.keys()].sort()).toEqual(['keyring:lock', 'page:status']);
    expect(await registered.get('page:status')!({ data: undefined, sender: SENDERS.popup })).toMatchObject({ ok: true, value: { version: '1' } });
    expect(await registered.get('page:status')!({ data: undefined, sender: SENDERS.topContent })).toMatchObject({ ok: false, error: { code: 'forbidden-sender' } });
    expect(Object.keys(guardAll(ctx, { 'cache:clear': () => ok(null) }))).toEqual(['cache:clear']);
  });

  it('a content script accepts background messages only from Veil, and only well-formed', async () => {
    const post = guardFromBackground('tab:post', 'veil-id', (data) => ok({ posted: data.texts.length, error: null }));
    const fromVeil = { id: 'veil-id', url: 'chrome-extension://veil-id/background.js' };
    expect(await post({ data: { texts: ['a', 'b'], reason: 'message' }, sender: fromVeil })).toEqual({ ok: true, value: { posted: 2, error: null } });
    expect(await post({ data: { texts: ['a'], reason: 'message' }, sender: { ...fromVeil, id: 'other' } })).toMatchObject({ ok: false, error: { code: 'forbidden-sender' } });
    expect(await post({ data: { texts: [], reason: 'message' }, sender: fromVeil })).toMatchObject({ ok: false, error: { code: 'invalid-message' } });
    expect(await post({ data: { texts: ['a'], reason: 'message', tabId: 3 }, sender: fromVeil })).toMatchObject({ ok: false, error: { code: 'invalid-message' } });
  });
});
