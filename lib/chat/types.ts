/** Shared types of the text engine (the background's logic for chat messages). */
import type { Alphabet } from '../armor/index.ts';

/** What the content script told us about one tab: where it is and who is who. */
export interface PageContext {
  tabId: number;
  /** The site key: the page's origin (e.g. "https://discord.com"). */
  site: string;
  conversationId: string;
  selfHandle: string;
  /** From the site profile, when the page names the other person; else learnt from messages. */
  peerHandle: string | null;
  /** Site limit on one message, in UTF-16 units. */
  maxChars: number;
  alphabet: Alphabet;
  profileFallback: boolean;
}

/** Texts the content script of a tab must post through the site's own editor, in order. */
export interface Post {
  tabId: number;
  texts: string[];
  reason: 'query' | 'handshake' | 'message';
}

/** What a token handed to a frame stands for. Never contains plaintext or keys. */
export type TokenPurpose =
  | { kind: 'message'; tabId: number; digest: string }
  | { kind: 'compose'; tabId: number; site: string; conversationId: string }
  | {
      kind: 'query';
      tabId: number;
      site: string;
      conversationId: string;
      peer: string;
      queryKey: string;
      /** An unsolicited commit (hex) the peer sent without a query: accepting answers it. */
      commitHex: string | null;
    };
