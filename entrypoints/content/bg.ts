/** Calls to the background that never throw (null: no answer; see lib/messaging/ask.ts). */
export { askBackground as ask } from '../../lib/messaging';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
