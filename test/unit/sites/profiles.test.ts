import { describe, expect, it } from 'vitest';
import {
  cleanConversationId,
  cleanHandle,
  conversationIdFromUrl,
  detectEditorKind,
  genericConversationId,
  profileForUrl,
  resolveEditorKind,
} from '../../../lib/sites/profile-match';
import { siteProfiles, type SiteProfile } from '../../../lib/sites/profiles';
import { knownSites } from '../../../lib/sites/profiles';

function profile(id: string): SiteProfile {
  const p = siteProfiles.find((x) => x.id === id);
  if (!p) throw new Error(`no profile ${id}`);
  return p;
}

describe('profile data', () => {
  it('has one profile per known site plus the local test site, with unique ids', () => {
    const ids = siteProfiles.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const s of knownSites) expect(ids).toContain(s.id);
    expect(ids).toContain('local-chat');
  });

  it('uses the documented length limits and valid regexes', () => {
    const limits: Record<string, number> = { discord: 2000, messenger: 2000, telegram: 4096, whatsapp: 4096, slack: 4000, 'google-chat': 4096 };
    for (const [id, n] of Object.entries(limits)) expect(profile(id).maxChars).toBe(n);
    for (const id of ['ometv', 'chatrandom', 'coomeet']) {
      expect(profile(id).maxChars).toBeGreaterThanOrEqual(500);
      expect(profile(id).maxChars).toBeLessThanOrEqual(1000);
    }
    for (const p of siteProfiles) {
      expect(p.maxChars).toBeGreaterThanOrEqual(64);
      for (const r of p.conversation) if (r.from === 'url') expect(() => new RegExp(r.regex)).not.toThrow();
      for (const t of [p.author, p.selfHandle, p.peerHandle]) if (t?.extract) expect(() => new RegExp(t.extract!)).not.toThrow();
    }
  });
});

describe('profileForUrl', () => {
  it.each([
    ['https://web.whatsapp.com/', 'whatsapp'],
    ['https://www.messenger.com/t/123', 'messenger'],
    ['https://www.facebook.com/messages/t/123', 'messenger'],
    ['https://web.telegram.org/k/#@durov', 'telegram'],
    ['https://discord.com/channels/1/2', 'discord'],
    ['https://app.slack.com/client/T1/C2', 'slack'],
    ['https://chat.google.com/room/AAA', 'google-chat'],
    ['https://mail.google.com/chat/u/0/#chat/dm/xyz', 'google-chat'],
    ['https://ome.tv/', 'ometv'],
    ['https://www.chatrandom.com/x', 'chatrandom'],
    ['https://coomeet.com/', 'coomeet'],
    ['http://127.0.0.1:41234/chat/lobby?user=alice&editor=slate', 'local-chat'],
    ['http://127.0.0.1:8080/video/r1?user=bob', 'local-chat'],
  ])('%s → %s', (url, id) => {
    expect(profileForUrl(url)?.id).toBe(id);
  });

  it.each([
    'http://127.0.0.1:41234/', // local site index: not a chat page
    'https://127.0.0.1/chat/lobby', // wrong scheme
    'https://www.facebook.com/', // facebook outside messages
    'https://evil.example/web.whatsapp.com/',
    'https://discord.com.evil.example/channels/1/2',
    'not a url',
  ])('%s → generic', (url) => {
    expect(profileForUrl(url)).toBeNull();
  });
});

describe('conversation ids', () => {
  it.each([
    ['local-chat', 'http://127.0.0.1:5/chat/lobby?user=a', 'chat/lobby'],
    ['local-chat', 'http://127.0.0.1:5/video/room-2?user=a', 'video/room-2'],
    ['discord', 'https://discord.com/channels/@me/998877', '@me/998877'],
    ['discord', 'https://discord.com/channels/111/222/333', '111/222'],
    ['messenger', 'https://www.messenger.com/t/100001', 't/100001'],
    ['messenger', 'https://www.facebook.com/messages/t/42/', 't/42'],
    ['telegram', 'https://web.telegram.org/k/#-100123', '-100123'],
    ['telegram', 'https://web.telegram.org/a/#@someone', '@someone'],
    ['slack', 'https://app.slack.com/client/T01/D02', 'T01/D02'],
    ['google-chat', 'https://chat.google.com/u/0/dm/ABC', 'dm/ABC'],
    ['google-chat', 'https://mail.google.com/chat/u/0/#chat/space/XYZ', 'space/XYZ'],
  ])('%s %s → %s', (id, url, expected) => {
    expect(conversationIdFromUrl(profile(id), url)).toBe(expected);
  });

  it('returns null when no URL rule matches', () => {
    expect(conversationIdFromUrl(profile('discord'), 'https://discord.com/app')).toBeNull();
    expect(conversationIdFromUrl(profile('whatsapp'), 'https://web.whatsapp.com/')).toBeNull();
  });

  it('decodes escaped path segments and bounds the result', () => {
    expect(conversationIdFromUrl(profile('local-chat'), 'http://127.0.0.1/chat/a%20b')).toBe('chat/a b');
    const long = 'x'.repeat(5000);
    expect(conversationIdFromUrl(profile('local-chat'), `http://127.0.0.1/chat/${long}`)?.length).toBe(512);
    // A malformed escape is kept as-is rather than throwing.
    expect(conversationIdFromUrl(profile('local-chat'), 'http://127.0.0.1/chat/%E0%A4%A')).toBe('chat/%E0%A4%A');
  });

  it('generic mode uses the path and route-like fragments only', () => {
    expect(genericConversationId('https://x.example/room/7?q=1#section')).toBe('/room/7');
    expect(genericConversationId('https://x.example/#/dm/5')).toBe('/#/dm/5');
    expect(genericConversationId('https://x.example/k/#@bob')).toBe('/k/#@bob');
    expect(genericConversationId('https://x.example/k/#-1001')).toBe('/k/#-1001');
    expect(genericConversationId('garbage')).toBe('/');
  });
});

describe('cleaning page strings', () => {
  it('collapses whitespace, drops control characters, bounds length', () => {
    expect(cleanHandle('  alice \n smith ')).toBe('alice smith');
    expect(cleanHandle('a\u0000b\u001fc')).toBe('a b c');
    expect(cleanHandle('   ')).toBeNull();
    expect(cleanHandle(null)).toBeNull();
    expect(cleanHandle('😀'.repeat(400))?.length).toBeLessThanOrEqual(256);
    expect(cleanConversationId('')).toBeNull();
  });

  it('extracts with a profile regex', () => {
    const ex = profile('whatsapp').author!.extract!;
    expect(cleanHandle('[10:12, 1/2/2024] Bob Jones: ', ex)).toBe('Bob Jones');
    expect(cleanHandle('no brackets here', ex)).toBeNull();
    expect(cleanHandle('x', '(')).toBeNull(); // invalid regex: no value rather than a throw
  });
});

describe('editor kinds', () => {
  const m = (tagName: string, attributes: Record<string, string> = {}, classes: string[] = []) => ({ tagName, attributes, classes });
  it('detects each library from its markers', () => {
    expect(detectEditorKind(m('TEXTAREA'))).toBe('textarea');
    expect(detectEditorKind(m('DIV', { contenteditable: 'true', 'data-lexical-editor': 'true' }))).toBe('lexical');
    expect(detectEditorKind(m('DIV', { contenteditable: 'true', 'data-slate-editor': 'true' }))).toBe('slate');
    expect(detectEditorKind(m('DIV', { contenteditable: 'true' }, ['ql-editor']))).toBe('quill');
    expect(detectEditorKind(m('DIV', { contenteditable: 'true' }, ['input-message-input']))).toBe('contenteditable');
  });
  it('prefers the hint except for auto and textareas', () => {
    expect(resolveEditorKind('lexical', m('DIV'))).toBe('lexical');
    expect(resolveEditorKind('auto', m('DIV', {}, ['ql-editor']))).toBe('quill');
    expect(resolveEditorKind('slate', m('TEXTAREA'))).toBe('textarea');
  });
});
