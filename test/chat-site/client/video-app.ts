// Random-video-chat page: Start / Next, the call (call.ts) beside a textarea chat.
// window.__call exposes test hooks.
import { startChat } from './chat-app.ts';
import { createTextareaEditor } from './editors/textarea.ts';
import { createCall } from './call.ts';

const chat = startChat(createTextareaEditor);
const stateEl = document.getElementById('call-state') as HTMLElement;
const partnerEl = document.getElementById('partner') as HTMLElement;

const call = createCall(chat, {
  local: document.getElementById('local') as HTMLVideoElement,
  remote: document.getElementById('remote') as HTMLVideoElement,
  remoteAudio: document.getElementById('remote-audio') as HTMLAudioElement,
  onState: (s) => {
    stateEl.textContent = s;
    document.body.dataset.callState = s;
  },
  onPartner: (p) => {
    partnerEl.textContent = p === null ? '' : `with ${p}`;
  },
});

/** A call that could not start says why in the page's console (a test fixture: its tests look there). */
const failed = (e: unknown): void => console.error('call', e);

document.getElementById('start')?.addEventListener('click', () => void call.start().catch(failed));
document.getElementById('next')?.addEventListener('click', () => {
  if (!call.media) void call.start().then(() => call.next()).catch(failed);
  else call.next();
});

window.__call = call;

if (new URLSearchParams(location.search).get('autostart') === '1') void call.start().catch(failed);
