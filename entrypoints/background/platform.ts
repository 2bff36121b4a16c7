/**
 * What the background needs from the browser, as small interfaces: the composition root
 * (background.ts) gets them from `browser` in index.ts, and unit tests from WXT's fake browser
 * plus stand-ins for what it does not implement (permissions, tab messaging).
 */
import type { KeyValueStore } from '../../lib/keyring';
import type { BodyOf, ContentMessage, MessageRegistrar, ReplyOf, Result } from '../../lib/messaging';

/** Which origins the user enabled (optional host permissions). */
export interface SiteAccess {
  enabledOrigins(): Promise<string[]>;
  isOriginEnabled(origin: string): Promise<boolean>;
}

/** Messages from the background to the content script in a tab's top frame. */
export interface TabMessenger {
  send<T extends ContentMessage>(tabId: number, type: T, data: BodyOf<T>): Promise<Result<ReplyOf<T>>>;
}

/** The subset of browser.alarms the background uses. */
export interface AlarmsLike {
  create(name: string, info: { when: number }): void | Promise<void>;
  clear(name: string): Promise<boolean>;
  onAlarm: { addListener(listener: (alarm: { name: string }) => void): void };
}

export interface BackgroundPlatform {
  extension: { id: string; origin: string; version: string };
  local: KeyValueStore;
  /** storage.session (it holds the unlocked data key). */
  session: KeyValueStore;
  /** Makes storage.session readable by Veil's trusted contexts only; done before the keyring opens. */
  restrictSession(): Promise<void>;
  alarms: AlarmsLike;
  tabs: TabMessenger & { onRemoved: { addListener(listener: (tabId: number) => void): void } };
  messages: MessageRegistrar;
  sites: SiteAccess;
}
