/**
 * The one table of chat sites Veil knows: per site its name and kind, where it keeps its
 * composer, message list, handles and conversation id, and how much text one message may hold.
 * Data only (plus the types the matching helpers in profile-match.ts use); the content script
 * reads them with the DOM, the popup and background name the site from them. Veil runs nowhere
 * until the user enables a site (optional host permission).
 *
 * The selectors for real sites are best-effort hints built from aria roles, data-testid and other
 * attributes those sites have used; they are NOT verified against the live sites and will drift.
 * When a profile's editor or message list cannot be found, the content script falls back to the
 * generic mode and says so (profileFallback in content:page-state).
 */

/** How text gets into the site's composer; 'auto' means detect from the element's markers. */
export type EditorKind = 'textarea' | 'contenteditable' | 'lexical' | 'slate' | 'quill';
export type ArmorAlphabet = 'ascii' | 'dense';

/**
 * Reads one string from the DOM: an element's attribute, or its text when attribute is absent.
 * selector ':scope' means the element searched from itself (e.g. the message element).
 * extract: optional regex whose group 1 is the value (e.g. a name inside "[10:12] Name: ").
 */
export interface DomText {
  selector: string;
  attribute?: string;
  extract?: string;
}

/**
 * One way to derive the conversation id. Rules are tried in order; the first that yields a
 * non-empty string wins (the content script falls back to location.pathname).
 *   url: regex against a part of the URL; template uses $1..$9 for groups.
 *   dom: text or attribute of the first element matching selector, with an optional prefix.
 */
export type ConversationRule =
  | { from: 'url'; part: 'pathname' | 'hash' | 'search'; regex: string; template: string }
  | ({ from: 'dom'; prefix?: string } & DomText);

/** 'test': Veil's own local chat site for tests, never offered or named as a known site. */
export type SiteKind = 'messenger' | 'random-video' | 'test';

export interface SiteProfile {
  id: string;
  name: string;
  kind: SiteKind;
  /** Match patterns (scheme://host/path*); a pattern's host matches every port of that host. */
  matches: string[];
  editor: { selector: string; kind: EditorKind | 'auto' };
  /** The site's send button; null: send with Enter in the editor. */
  sendButton: string | null;
  messageList: string;
  /** A single message, searched within the message list. */
  message: string;
  /** The element holding a message's text, searched within a message. */
  messageBody: string;
  /** The author's handle within a message; null when the site does not show one per message. */
  author: DomText | null;
  selfHandle: DomText | null;
  peerHandle: DomText | null;
  conversation: ConversationRule[];
  /** The site's limit on one message, in UTF-16 code units. */
  maxChars: number;
  /** 'dense' where the site counts characters (not bytes) and accepts non-ASCII well. */
  alphabet: ArmorAlphabet;
}

export const siteProfiles: readonly SiteProfile[] = [
  {
    id: 'local-chat',
    name: 'Local chat site (tests)',
    kind: 'test',
    matches: ['http://127.0.0.1/chat/*', 'http://127.0.0.1/video/*'],
    // The page picks its editor from ?editor=: detect the library from the element's markers.
    editor: { selector: '#composer textarea, #composer [contenteditable="true"]', kind: 'auto' },
    sendButton: '#send',
    messageList: '#messages',
    message: '.msg',
    messageBody: '.body',
    author: { selector: ':scope', attribute: 'data-author' },
    selfHandle: { selector: '#me' },
    // The video page shows "with <handle>" once paired.
    peerHandle: { selector: '#partner', extract: '^with\\s+(\\S+)$' },
    conversation: [
      { from: 'url', part: 'pathname', regex: '^/video/([^/]+)', template: 'video/$1' },
      { from: 'url', part: 'pathname', regex: '^/chat/([^/]+)', template: 'chat/$1' },
    ],
    maxChars: 2000,
    alphabet: 'ascii',
  },
  {
    id: 'whatsapp',
    name: 'WhatsApp Web',
    kind: 'messenger',
    matches: ['https://web.whatsapp.com/*'],
    editor: { selector: 'footer div[contenteditable="true"][role="textbox"]', kind: 'lexical' },
    sendButton: 'footer button[aria-label="Send"], footer [data-icon="send"]',
    messageList: '#main [role="application"], #main',
    message: 'div.message-in, div.message-out',
    messageBody: 'span.selectable-text',
    author: { selector: '[data-pre-plain-text]', attribute: 'data-pre-plain-text', extract: '^\\[[^\\]]*\\]\\s*([^:]+):' },
    selfHandle: null,
    peerHandle: { selector: '#main header span[title]', attribute: 'title' },
    conversation: [{ from: 'dom', selector: '#main header span[title]', attribute: 'title', prefix: 'chat:' }],
    maxChars: 4096,
    alphabet: 'dense',
  },
  {
    id: 'messenger',
    name: 'Messenger',
    kind: 'messenger',
    matches: ['https://www.messenger.com/*', 'https://www.facebook.com/messages/*'],
    editor: { selector: 'div[contenteditable="true"][role="textbox"][data-lexical-editor="true"]', kind: 'lexical' },
    sendButton: 'div[aria-label="Press enter to send"], div[aria-label="Send"][role="button"]',
    messageList: 'div[role="grid"], div[role="main"]',
    message: 'div[role="row"]',
    messageBody: 'div[dir="auto"]',
    author: null,
    selfHandle: null,
    peerHandle: { selector: 'div[role="main"] h1, div[role="main"] h2 span' },
    conversation: [
      { from: 'url', part: 'pathname', regex: '^/(?:messages/)?t/([^/]+)', template: 't/$1' },
      { from: 'url', part: 'pathname', regex: '^/messages/e2ee/t/([^/]+)', template: 'e2ee/$1' },
    ],
    maxChars: 2000,
    alphabet: 'dense',
  },
  {
    id: 'telegram',
    name: 'Telegram Web',
    kind: 'messenger',
    matches: ['https://web.telegram.org/*'],
    editor: { selector: '.input-message-input[contenteditable="true"], #editable-message-text', kind: 'contenteditable' },
    sendButton: 'button.btn-send, button.send, button[aria-label="Send Message"]',
    messageList: '.bubbles-inner, .MessageList',
    message: '.bubble[data-mid], .Message',
    messageBody: '.message, .text-content',
    author: { selector: '.peer-title, .message-title' },
    selfHandle: null,
    peerHandle: { selector: '.chat-info .peer-title, .ChatInfo .fullName' },
    conversation: [{ from: 'url', part: 'hash', regex: '^#(@?[-A-Za-z0-9_]+)', template: '$1' }],
    maxChars: 4096,
    alphabet: 'dense',
  },
  {
    id: 'discord',
    name: 'Discord',
    kind: 'messenger',
    matches: ['https://discord.com/*'],
    editor: { selector: 'div[role="textbox"][data-slate-editor="true"]', kind: 'slate' },
    sendButton: null,
    messageList: 'ol[data-list-id="chat-messages"]',
    message: 'li[id^="chat-messages-"]',
    messageBody: 'div[id^="message-content-"]',
    author: { selector: 'span[id^="message-username-"]' },
    selfHandle: { selector: 'section[aria-label="User area"] [class*="nameTag"] div, [class*="panelTitleContainer"]' },
    peerHandle: null,
    conversation: [{ from: 'url', part: 'pathname', regex: '^/channels/([^/]+)/([^/]+)', template: '$1/$2' }],
    maxChars: 2000,
    alphabet: 'dense',
  },
  {
    id: 'slack',
    name: 'Slack',
    kind: 'messenger',
    matches: ['https://app.slack.com/*'],
    editor: { selector: 'div.ql-editor[contenteditable="true"]', kind: 'quill' },
    sendButton: 'button[data-qa="texty_send_button"]',
    messageList: 'div[data-qa="slack_kit_list"], div.c-virtual_list__scroll_container',
    message: 'div[data-qa="message_container"], div.c-message_kit__background',
    messageBody: 'div.p-rich_text_section, div[data-qa="message-text"]',
    author: { selector: 'button[data-qa="message_sender_name"], [data-qa="message_sender_name"]' },
    selfHandle: null,
    peerHandle: null,
    conversation: [{ from: 'url', part: 'pathname', regex: '^/client/([^/]+)/([^/]+)', template: '$1/$2' }],
    maxChars: 4000,
    alphabet: 'ascii',
  },
  {
    id: 'google-chat',
    name: 'Google Chat',
    kind: 'messenger',
    matches: ['https://chat.google.com/*', 'https://mail.google.com/chat/*'],
    editor: { selector: 'div[contenteditable="true"][role="textbox"]', kind: 'contenteditable' },
    sendButton: 'button[aria-label="Send message"], div[aria-label="Send message"][role="button"]',
    messageList: 'c-wiz[data-group-id], div[role="main"]',
    message: 'div[data-message-id]',
    messageBody: 'div[jsname="bgckF"], div[data-message-text]',
    author: { selector: '[data-member-id] span[data-name], [data-name]', attribute: 'data-name' },
    selfHandle: null,
    peerHandle: null,
    conversation: [
      { from: 'url', part: 'pathname', regex: '/(room|dm|space)/([^/?#]+)', template: '$1/$2' },
      { from: 'url', part: 'hash', regex: '(room|dm|space)/([^/?#]+)', template: '$1/$2' },
    ],
    maxChars: 4096,
    alphabet: 'ascii',
  },
  {
    id: 'ometv',
    name: 'Ome.tv',
    kind: 'random-video',
    matches: ['https://ome.tv/*'],
    editor: { selector: 'textarea.chat__textarea, .chat textarea', kind: 'textarea' },
    sendButton: null,
    messageList: '.chat__messages, .message-bubbles',
    message: '.message, .chat__message',
    messageBody: '.message__text, .text',
    author: null,
    selfHandle: null,
    peerHandle: null,
    conversation: [],
    maxChars: 500,
    alphabet: 'ascii',
  },
  {
    id: 'chatrandom',
    name: 'Chatrandom',
    kind: 'random-video',
    matches: ['https://chatrandom.com/*', 'https://www.chatrandom.com/*'],
    editor: { selector: '#chat-text, textarea[name="message"], .chat-input textarea', kind: 'textarea' },
    sendButton: '#chat-send, button.send-button',
    messageList: '#chat-messages, .chat-messages',
    message: '.message, .chat-message',
    messageBody: '.message-text, .text',
    author: null,
    selfHandle: null,
    peerHandle: null,
    conversation: [],
    maxChars: 1000,
    alphabet: 'ascii',
  },
  {
    id: 'coomeet',
    name: 'Coomeet',
    kind: 'random-video',
    matches: ['https://coomeet.com/*', 'https://www.coomeet.com/*'],
    editor: { selector: 'textarea[placeholder], .chat-input textarea, div[contenteditable="true"]', kind: 'textarea' },
    sendButton: 'button[type="submit"]',
    messageList: '.chat-messages, .messages',
    message: '.chat-message, .message',
    messageBody: '.chat-message__text, .message__text',
    author: null,
    selfHandle: null,
    peerHandle: null,
    conversation: [],
    maxChars: 1000,
    alphabet: 'ascii',
  },
];

/** Any page the user enabled that no profile covers: heuristics only (entrypoints/content/site.ts). */
export const GENERIC_LIMITS = { maxChars: 2000, alphabet: 'ascii' as ArmorAlphabet } as const;

/** The chat sites Veil knows by name (every profile but the test site's). */
export const knownSites: readonly SiteProfile[] = siteProfiles.filter((p) => p.kind !== 'test');
