// The replicas of real chat sites that the chat site serves at their real origins (routed to
// this server by test/e2e/harness/origin-router.ts). Data only: the server picks the page by the
// request's Host, the harness routes these hosts, tests open `start`. Each page is built from
// the documented structure of the real site (README.md, "Replicas"), never from its files.

/** The page family a host gets; one client bundle each (`/assets/replica-<page>.js`). */
export type ReplicaPage = 'whatsapp' | 'messenger' | 'telegram' | 'discord' | 'slack' | 'gchat' | 'random' | 'generic';

export interface ReplicaSite {
  /** Names this replica in tests and logs. */
  id: string;
  /** The real host it stands in for. */
  host: string;
  page: ReplicaPage;
  /** Where a user lands (path, search and hash of the real site's chat view). */
  start: string;
  /** Variant of the page where one family runs several sites with different controls. */
  skin?: 'ometv' | 'coomeet';
}

export const REPLICAS: readonly ReplicaSite[] = [
  { id: 'whatsapp', host: 'web.whatsapp.com', page: 'whatsapp', start: '/' },
  { id: 'messenger', host: 'www.messenger.com', page: 'messenger', start: '/' },
  { id: 'telegram', host: 'web.telegram.org', page: 'telegram', start: '/k/' },
  { id: 'discord', host: 'discord.com', page: 'discord', start: '/channels/1000/2001' },
  { id: 'slack', host: 'app.slack.com', page: 'slack', start: '/client/T0VEIL/C0GENERAL' },
  { id: 'google-chat', host: 'chat.google.com', page: 'gchat', start: '/u/0/' },
  { id: 'ometv', host: 'ome.tv', page: 'random', start: '/', skin: 'ometv' },
  // One of the Chatruletka platform's many clone domains (same page as Ome.tv's platform).
  { id: 'chatruletka-clone', host: 'videochatfr.com', page: 'random', start: '/embed', skin: 'ometv' },
  { id: 'coomeet-free', host: 'free.coomeet.com', page: 'random', start: '/', skin: 'coomeet' },
  // A made-up chat site that no Veil profile knows (generic mode). .test is reserved (RFC 6761).
  { id: 'generic', host: 'plainchat.test', page: 'generic', start: '/' },
];

export const REPLICA_PAGES: readonly ReplicaPage[] = [...new Set(REPLICAS.map((r) => r.page))];

/** The replica served for a request's Host header (port ignored), or null. */
export function replicaForHost(hostHeader: string | undefined): ReplicaSite | null {
  const host = (hostHeader ?? '').toLowerCase().replace(/:\d+$/, '');
  return REPLICAS.find((r) => r.host === host) ?? null;
}

/** Cookie that carries who is signed in on a replica (set by /__replica/login). */
export const LOGIN_COOKIE = 'replica_user';
