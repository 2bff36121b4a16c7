/**
 * Chat sites Veil knows by name. Data only: the popup offers these first, and each later gains a
 * full site profile (input, message list, handles, length limit, armor alphabet).
 * Veil runs nowhere until the user enables a site (optional host permission).
 */
export interface KnownSite {
  id: string;
  name: string;
  /** Match patterns (https://developer.chrome.com/docs/extensions/develop/concepts/match-patterns). */
  matches: string[];
  kind: 'messenger' | 'random-video';
}

export const knownSites: readonly KnownSite[] = [
  { id: 'whatsapp', name: 'WhatsApp Web', matches: ['https://web.whatsapp.com/*'], kind: 'messenger' },
  { id: 'messenger', name: 'Messenger', matches: ['https://www.messenger.com/*', 'https://www.facebook.com/messages/*'], kind: 'messenger' },
  { id: 'telegram', name: 'Telegram Web', matches: ['https://web.telegram.org/*'], kind: 'messenger' },
  { id: 'discord', name: 'Discord', matches: ['https://discord.com/*'], kind: 'messenger' },
  { id: 'slack', name: 'Slack', matches: ['https://app.slack.com/*'], kind: 'messenger' },
  { id: 'google-chat', name: 'Google Chat', matches: ['https://chat.google.com/*', 'https://mail.google.com/chat/*'], kind: 'messenger' },
  { id: 'ometv', name: 'Ome.tv', matches: ['https://ome.tv/*'], kind: 'random-video' },
  { id: 'chatrandom', name: 'Chatrandom', matches: ['https://chatrandom.com/*', 'https://www.chatrandom.com/*'], kind: 'random-video' },
  { id: 'coomeet', name: 'Coomeet', matches: ['https://coomeet.com/*', 'https://www.coomeet.com/*'], kind: 'random-video' },
];
