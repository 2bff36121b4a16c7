// Random video chat replica: Ome.tv and the Chatruletka platform's clone domains (skin "ometv"),
// and Coomeet's free site (skin "coomeet"). From public evidence (README.md): no names anywhere;
// `.chat__messages` > `.message.in` / `.message.out` / `.message.system`, text in
// `.message-bubble`; a `textarea.chat__textarea` where Enter sends; one stranger at a time,
// paired by the server; Start/Next (`.buttons__button.start-button`) and Stop
// (`.buttons__button.stop-button`), the call's stage as s-stop / s-search / s-found / s-play on
// #remote-video-wrapper; system lines in a .message-bubble (span[data-tr="rules"],
// span[data-tr="searching"], a .tr-country once connected). Coomeet Free's controls are
// #cmtNext / #cmtStop (.free-ne-control-button) and its remote video .free-cm-video-in-stream.
// The message list is cleared for each new stranger. The text sits beside a WebRTC call
// between the two strangers (call.ts, the chat site's signaling and fake camera).
import { renderMessageHtml } from '../../render.ts';
import type { ChatMessage, ServerFrame } from '../../protocol.ts';
import { createCall, type CallState } from '../call.ts';
import { createTextareaEditor } from '../editors/textarea.ts';
import type { DomMessage, ReplicaHooks } from './app.ts';
import { connectRoom } from './connection.ts';
import { h, htmlBody } from './dom.ts';
import { mountEditor } from './editor-mount.ts';

const coomeet = document.body.dataset.skin === 'coomeet';
const listeners: ((f: ServerFrame) => void)[] = [];
const conn = connectRoom(`random.${location.hostname}`, (f) => {
  for (const fn of listeners) fn(f);
}, 'strangers');

const remote = h('video', { id: 'remote-video', class: coomeet ? 'free-cm-video-in-stream' : 'remote-video', autoplay: true, playsinline: true, muted: true });
const local = h('video', { id: 'local-video', class: coomeet ? 'free-cm-video-out-stream' : 'video-container-local-video', autoplay: true, playsinline: true, muted: true });
const remoteAudio = h('audio', { autoplay: true });
const remoteWrapper = h('div', { id: 'remote-video-wrapper', class: 's-stop' }, remote);
const messages = h('div', { class: 'chat__messages' });
const editorHost = h('div', { class: 'chat__input' });
const startButton = coomeet
  ? h('button', { id: 'cmtNext', class: 'free-ne-control-button', type: 'button', text: 'Start' })
  : h('button', { class: 'buttons__button start-button', type: 'button', text: 'Start' });
const stopButton = coomeet
  ? h('button', { id: 'cmtStop', class: 'free-ne-control-button free-ne-control-button--end', type: 'button', text: 'Stop' })
  : h('button', { class: 'buttons__button stop-button', type: 'button', text: 'Stop' });
const chatBox = h('div', { class: 'chat' }, messages, editorHost);
const videos = h('div', { class: 'video-row' }, remoteWrapper, h('div', { id: 'local-video-wrapper' }, local), remoteAudio);

if (coomeet) {
  document.body.append(
    h(
      'div',
      { id: 'free-cm' },
      h(
        'div',
        { class: 'free-cm-app__container' },
        videos,
        h('div', { class: 'free-ne-user-info free-cm-video-out__panel' }),
        h('div', { class: 'free-cm-app-chat__sidebar' }, h('div', {}, h('div', {}, startButton), h('div', {}, stopButton)), chatBox),
      ),
    ),
  );
} else {
  document.body.append(h('div', { id: 'app' }, h('div', { id: 'roulette' }, h('div', { class: 'video-container' }, videos), h('div', { class: 'buttons' }, startButton, stopButton), chatBox)));
}

/** Messages with the current stranger (cleared when a new one arrives). */
let current: ChatMessage[] = [];
let stage: 's-stop' | 's-search' | 's-found' | 's-play' = 's-stop';

function setStage(s: typeof stage): void {
  remoteWrapper.classList.remove('s-stop', 's-search', 's-found', 's-play');
  remoteWrapper.classList.add(s);
  stage = s;
  startButton.textContent = s === 's-stop' ? 'Start' : 'Next';
}

function system(...parts: (HTMLElement | string)[]): void {
  messages.append(h('div', { class: 'message system' }, h('div', { class: 'message-bubble' }, ...parts)));
  messages.scrollTop = messages.scrollHeight;
}

function rules(): void {
  system(h('span', { 'data-tr': 'rules', text: 'Press Start to talk to a random stranger. Be polite and follow the rules.' }));
}

function show(m: ChatMessage): void {
  const mine = m.author === conn.you;
  messages.append(h('div', { class: `message ${mine ? 'out' : 'in'}` }, htmlBody('div', { class: 'message-bubble' }, renderMessageHtml(m.text))));
  messages.scrollTop = messages.scrollHeight;
}

const call = createCall(
  { sendFrame: (f) => conn.sendFrame(f), onFrame: (fn) => void listeners.push(fn) },
  {
    local,
    remote,
    remoteAudio,
    onState: (s: CallState) => {
      if (s === 'connected') setStage('s-play');
    },
    onPartner: () => undefined,
  },
);

listeners.push((f) => {
  if (f.t === 'video-waiting') {
    setStage('s-search');
    system(h('span', { 'data-tr': 'searching', text: 'Searching for a stranger…' }));
  } else if (f.t === 'video-paired') {
    // A new stranger: nothing of the previous conversation stays on screen.
    current = [];
    messages.replaceChildren();
    setStage('s-found');
    system(h('span', { 'data-tr': 'connected', text: 'You are now talking to a random stranger.' }), ' ', h('span', { class: 'tr-country', 'data-tr': 'ZZ', text: 'Somewhere' }));
  } else if (f.t === 'video-hangup' && f.reason !== 'stop') {
    system(h('span', { 'data-tr': 'stranger_left', text: 'The stranger has left.' }));
  } else if (f.t === 'video-hangup') {
    system(h('span', { 'data-tr': 'stranger_left', text: 'The stranger stopped the chat.' }));
  } else if (f.t === 'msg') {
    current.push(f.msg);
    show(f.msg);
  } else if (f.t === 'error' && f.code === 'no_partner') {
    system(h('span', { 'data-tr': 'no_partner', text: 'Press Start to find someone to talk to first.' }));
  }
});

async function start(): Promise<void> {
  await call.start();
}

function next(): void {
  if (!call.media) void call.start().then(() => call.next()).catch((e: unknown) => console.error('call', e));
  else call.next();
}

function stop(): void {
  call.stop();
  setStage('s-stop');
  system(h('span', { 'data-tr': 'stopped', text: 'You stopped the chat.' }));
  rules();
}

startButton.addEventListener('click', () => (stage === 's-stop' ? void start() : next()));
stopButton.addEventListener('click', stop);

const composer = mountEditor(
  createTextareaEditor,
  editorHost,
  (text) => {
    if (stage !== 's-found' && stage !== 's-play') return false;
    conn.send(text);
    return true;
  },
  { class: 'chat__textarea', placeholder: 'Type your message here and press Enter', maxlength: '1000' },
);
rules();

const hooks: ReplicaHooks = {
  page: 'random',
  get ready() {
    return conn.ready;
  },
  get you() {
    return conn.you;
  },
  get chat() {
    return call.partner === null ? null : 'stranger';
  },
  chats: () => [],
  openChat: () => undefined,
  messages: () => current.map((m) => ({ id: m.id, author: m.author, mine: m.author === conn.you, text: m.text })),
  dom: (): DomMessage[] =>
    [...messages.querySelectorAll<HTMLElement>('.message')].map((el) => ({
      text: (el.querySelector<HTMLElement>('.message-bubble')?.innerText ?? '').trim(),
      mark: el.classList.contains('out') ? 'out' : el.classList.contains('in') ? 'in' : el.classList.contains('system') ? 'system' : 'unmarked',
    })),
  send: (text: string) => conn.send(text),
  submit: () => composer.submit(),
  editorText: () => composer.editor.getText(),
  /** Start (camera, then the queue), Next (another stranger) and Stop, as the buttons do. */
  start,
  next,
  stop,
  get stage() {
    return stage;
  },
  call,
};
window.__replica = hooks;
window.__call = call;
