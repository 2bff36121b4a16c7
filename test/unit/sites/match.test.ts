import { describe, expect, it } from 'vitest';
import { knownSites } from '../../../lib/sites/profiles';
import { knownSiteFor, originPattern, patternMatches } from '../../../lib/sites/match';

describe('site matching', () => {
  it('derives an origin pattern only for web URLs', () => {
    expect(originPattern('https://discord.com/channels/1/2')).toBe('https://discord.com/*');
    expect(originPattern('http://127.0.0.1:8080/chat/a')).toBe('http://127.0.0.1/*');
    expect(originPattern('chrome://extensions')).toBeNull();
    expect(originPattern('not a url')).toBeNull();
  });

  it('matches patterns by scheme, host and path prefix', () => {
    expect(patternMatches('https://web.whatsapp.com/*', 'https://web.whatsapp.com/')).toBe(true);
    expect(patternMatches('https://web.whatsapp.com/*', 'http://web.whatsapp.com/')).toBe(false);
    expect(patternMatches('https://web.whatsapp.com/*', 'https://web.whatsapp.com.evil.test/')).toBe(false);
    expect(patternMatches('https://www.facebook.com/messages/*', 'https://www.facebook.com/profile')).toBe(false);
    expect(patternMatches('https://*.example.com/*', 'https://a.example.com/x')).toBe(true);
    expect(patternMatches('https://*.example.com/*', 'https://badexample.com/x')).toBe(false);
  });

  it('knows the chat sites from the brief', () => {
    expect(knownSiteFor('https://discord.com/channels/@me')?.id).toBe('discord');
    expect(knownSiteFor('https://ome.tv/')?.kind).toBe('random-video');
    expect(knownSiteFor('https://example.org/')).toBeNull();
    expect(new Set(knownSites.map((s) => s.id)).size).toBe(knownSites.length);
  });

  it('never names Veil\'s own test site as a known chat site', () => {
    expect(knownSiteFor('http://127.0.0.1:8080/chat/room-1')).toBeNull();
    expect(knownSites.some((s) => s.kind === 'test')).toBe(false);
    expect(knownSites.map((s) => s.kind)).toContain('messenger');
  });
});
