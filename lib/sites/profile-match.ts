/**
 * Pure helpers over site profiles: which profile a URL gets, conversation ids from URLs, editor
 * kinds from element markers, and cleaning of strings read from a hostile page. No DOM here.
 */
import { patternMatches } from './match';
import { siteProfiles, type ConversationRule, type EditorKind, type SiteProfile } from './profiles';

/** Bounds from content:page-state's schema. */
export const MAX_CONVERSATION_ID = 512;
export const MAX_HANDLE = 256;

/** The profile whose match patterns cover url (ports ignored, as in match patterns); null: generic. */
export function profileForUrl(url: string, profiles: readonly SiteProfile[] = siteProfiles): SiteProfile | null {
  return profiles.find((p) => p.matches.some((m) => patternMatches(m, url))) ?? null;
}

function collapse(s: string, max: number): string | null {
  // Control characters would let a page forge structure in logs or labels; drop them.
  // eslint-disable-next-line no-control-regex
  const clean = s.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  if (clean === '') return null;
  return Array.from(clean).slice(0, max).join('').slice(0, max);
}

/** A handle read from the page: whitespace collapsed, bounded, null when empty. */
export function cleanHandle(raw: string | null | undefined, extract?: string): string | null {
  if (typeof raw !== 'string') return null;
  let s = raw.slice(0, 4 * MAX_HANDLE);
  if (extract !== undefined) {
    const m = safeRegex(extract)?.exec(s);
    if (!m || m[1] === undefined) return null;
    s = m[1];
  }
  return collapse(s, MAX_HANDLE);
}

export function cleanConversationId(raw: string | null | undefined): string | null {
  return typeof raw === 'string' ? collapse(raw.slice(0, 4 * MAX_CONVERSATION_ID), MAX_CONVERSATION_ID) : null;
}

function safeRegex(source: string): RegExp | null {
  try {
    return new RegExp(source);
  } catch {
    return null;
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Fills $1..$9 in template from a regex match (decoded: ids in paths are often escaped). */
export function applyTemplate(template: string, match: RegExpExecArray): string {
  return template.replace(/\$([1-9])/g, (_, d: string) => safeDecode(match[Number(d)] ?? ''));
}

/** Applies one URL rule; null when it does not match or the URL does not parse. */
export function conversationFromUrlRule(rule: Extract<ConversationRule, { from: 'url' }>, url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  const m = safeRegex(rule.regex)?.exec(u[rule.part]);
  return m ? cleanConversationId(applyTemplate(rule.template, m)) : null;
}

/** First URL rule of the profile that yields an id; DOM rules are the content script's job. */
export function conversationIdFromUrl(profile: SiteProfile, url: string): string | null {
  for (const rule of profile.conversation) {
    if (rule.from !== 'url') continue;
    const id = conversationFromUrlRule(rule, url);
    if (id) return id;
  }
  return null;
}

/**
 * Generic mode's conversation id: the path, plus the fragment when it looks like an app route
 * ("#/room/1", "#!/x", "#@user", "#-123"), since single-page chats often route by fragment.
 */
export function genericConversationId(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return '/';
  }
  const route = /^#(?:[/!@]|-?\d)/.test(u.hash) ? u.hash : '';
  return cleanConversationId(safeDecode(u.pathname) + route) ?? '/';
}

/** What the content script can cheaply read off a candidate editor element. */
export interface EditorMarkers {
  tagName: string;
  attributes: Readonly<Record<string, string>>;
  classes: readonly string[];
}

/** Which editor library drives an element, from markers those libraries put on their roots. */
export function detectEditorKind(m: EditorMarkers): EditorKind {
  if (m.tagName.toLowerCase() === 'textarea' || m.tagName.toLowerCase() === 'input') return 'textarea';
  if (m.attributes['data-lexical-editor'] === 'true') return 'lexical';
  if ('data-slate-editor' in m.attributes) return 'slate';
  if (m.classes.includes('ql-editor')) return 'quill';
  return 'contenteditable';
}

/** The editor kind to use: the profile's hint, unless it says 'auto' (then the markers decide). */
export function resolveEditorKind(hint: EditorKind | 'auto', m: EditorMarkers): EditorKind {
  const detected = detectEditorKind(m);
  // A textarea is always driven as one, whatever the hint claims.
  if (detected === 'textarea' || hint === 'auto') return detected;
  return hint;
}
