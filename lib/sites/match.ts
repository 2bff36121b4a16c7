/** Origins and match patterns: the unit of "enabled" is an origin the user granted. */
import { knownSites, type SiteProfile } from './profiles';

/** The match pattern that grants one origin, e.g. "https://discord.com/*". Null for non-web URLs. */
export function originPattern(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
  // Match patterns carry no port: a grant for 127.0.0.1 covers every port of that host.
  return `${u.protocol}//${u.hostname}/*`;
}

/** Whether a URL falls under a match pattern of the form scheme://host/path* (no wildcard hosts). */
export function patternMatches(pattern: string, url: string): boolean {
  const m = /^(https?|\*):\/\/([^/]+)(\/.*)$/.exec(pattern);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (!m) return false;
  const [, scheme, host, path] = m as unknown as [string, string, string, string];
  if (scheme !== '*' && `${scheme}:` !== u.protocol) return false;
  if (host.startsWith('*.')) {
    const base = host.slice(2);
    if (u.hostname !== base && !u.hostname.endsWith(`.${base}`)) return false;
  } else if (host !== '*' && host !== u.hostname) return false;
  const prefix = path.endsWith('*') ? path.slice(0, -1) : path;
  return path.endsWith('*') ? u.pathname.startsWith(prefix) : u.pathname === prefix;
}

/** The known chat site a URL belongs to (the test site is never one). */
export function knownSiteFor(url: string): SiteProfile | null {
  return knownSites.find((s) => s.matches.some((p) => patternMatches(p, url))) ?? null;
}
