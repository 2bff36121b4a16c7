// HTML shells of the chat site's pages. The bundles build the dynamic parts; the static DOM
// here (ids, classes) is the contract Veil site profiles target, documented in README.md.
import type { EditorKind } from './bundle.ts';
import type { ReplicaPage, ReplicaSite } from './replicas.ts';

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const HOSTILE_TAG = '<script src="/assets/hostile.js"></script>';

export function chatPageHtml(o: { room: string; editor: EditorKind; hostile: boolean }): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>#${esc(o.room)} · ChatSite</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/assets/site.css">${o.editor === 'quill' ? '\n<link rel="stylesheet" href="/assets/quill.core.css">' : ''}
${o.hostile ? HOSTILE_TAG : ''}
</head>
<body class="chat-page" data-editor="${o.editor}">
<header class="topbar" data-site><span class="logo">ChatSite</span><span class="sep">#</span><span id="room">${esc(o.room)}</span>
<span class="spacer"></span><span id="presence"></span><span class="who">signed in as <b id="me"></b></span><span id="status">connecting</span></header>
<main class="chat">
<div id="messages" role="log" aria-live="polite"></div>
<div id="error" role="alert" hidden></div>
<div id="composer" class="composer"><div id="editor-host" class="editor-host"></div><button id="send" type="button" data-site>Send</button></div>
</main>
<script src="/assets/chat-${o.editor}.js"></script>
</body></html>`;
}

export function videoPageHtml(o: { room: string; hostile: boolean }): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Video ${esc(o.room)} · ChatSite</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/assets/site.css">
${o.hostile ? HOSTILE_TAG : ''}
</head>
<body class="video-page" data-editor="textarea">
<header class="topbar" data-site><span class="logo">ChatSite Video</span><span class="sep">#</span><span id="room">${esc(o.room)}</span>
<span class="spacer"></span><span id="presence"></span><span class="who">you are <b id="me"></b></span><span id="status">connecting</span></header>
<main class="video-layout">
<section class="stage">
<div class="tiles"><video id="remote" autoplay playsinline muted></video><video id="local" autoplay playsinline muted></video></div>
<audio id="remote-audio" autoplay></audio>
<div class="controls"><button id="start" type="button" data-site>Start</button><button id="next" type="button" data-site>Next</button><span id="call-state">idle</span><span id="partner"></span></div>
</section>
<section class="chat side">
<div id="messages" role="log" aria-live="polite"></div>
<div id="error" role="alert" hidden></div>
<div id="composer" class="composer"><div id="editor-host" class="editor-host"></div><button id="send" type="button" data-site>Send</button></div>
</section>
</main>
<script src="/assets/video.js"></script>
</body></html>`;
}

export function indexPageHtml(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ChatSite</title><link rel="stylesheet" href="/assets/site.css"></head>
<body class="index-page"><main class="index">
<h1>ChatSite</h1><p>A local chat site for testing Veil. Open the same room in two browsers with two handles.</p>
<form id="join" onsubmit="event.preventDefault(); const f = new FormData(this); const kind = f.get('kind');
 const q = new URLSearchParams({ user: f.get('user') }); if (kind !== 'video') q.set('editor', kind);
 if (f.get('hostile')) q.set('hostile', '1');
 location.href = '/' + (kind === 'video' ? 'video' : 'chat') + '/' + encodeURIComponent(f.get('room')) + '?' + q;">
<label>Room <input name="room" value="lobby" pattern="[A-Za-z0-9_.\\-]{1,64}" required></label>
<label>Handle <input name="user" value="alice" pattern="[A-Za-z0-9_.\\-]{1,64}" required></label>
<label>Page <select name="kind"><option>textarea</option><option>contenteditable</option><option>lexical</option><option>slate</option><option>quill</option><option value="video">video chat</option></select></label>
<label><input type="checkbox" name="hostile" value="1"> hostile site script</label>
<button type="submit">Join</button></form></main></body></html>`;
}

export const SITE_CSS = `
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.4 system-ui, sans-serif; background: #f4f5f7; color: #1d1f23; }
.topbar { display: flex; gap: 8px; align-items: center; padding: 8px 14px; background: #2b2d31; color: #fff; }
.topbar .logo { font-weight: 700; } .topbar .spacer { flex: 1; } #presence, #status { opacity: .7; font-size: 13px; }
.chat { display: flex; flex-direction: column; height: calc(100vh - 40px); max-width: 900px; margin: 0 auto; }
.side { height: auto; min-height: 420px; }
#messages { flex: 1; overflow-y: auto; padding: 12px; background: #fff; }
.msg { padding: 4px 0; } .msg .author { font-weight: 600; margin-right: 6px; } .msg .time { font-size: 11px; color: #888; }
.msg .body { overflow-wrap: anywhere; } .msg .body p { margin: 2px 0; }
#error { background: #fde7e9; color: #a1121f; padding: 6px 12px; border-top: 1px solid #f3b3ba; }
.composer { display: flex; gap: 8px; padding: 10px; background: #ebedef; align-items: flex-end; position: relative; }
.editor-host { flex: 1; min-width: 0; }
.editor-host textarea, .editor-host [contenteditable] { width: 100%; min-height: 40px; max-height: 200px; overflow-y: auto;
  padding: 8px 10px; border: 1px solid #c9ccd1; border-radius: 8px; background: #fff; font: inherit; white-space: pre-wrap; outline: none; }
.editor-host .ql-container { font: inherit; } .editor-host .ql-editor { padding: 8px 10px; }
#send, .controls button { padding: 8px 16px; border: 0; border-radius: 8px; background: #5865f2; color: #fff; font-weight: 600; cursor: pointer; }
.video-layout { display: grid; grid-template-columns: minmax(320px, 2fr) minmax(280px, 1fr); gap: 12px; padding: 12px; }
.tiles { position: relative; background: #000; aspect-ratio: 4 / 3; }
#remote { width: 100%; height: 100%; object-fit: contain; background: #111; }
#local { position: absolute; right: 8px; bottom: 8px; width: 30%; border: 2px solid #fff; }
.controls { display: flex; gap: 8px; align-items: center; padding: 8px 0; }
.index { max-width: 560px; margin: 40px auto; background: #fff; padding: 24px; border-radius: 12px; }
.index form { display: grid; gap: 10px; }
`;

const REPLICA_TITLES: Record<ReplicaPage, string> = {
  whatsapp: 'WhatsApp',
  messenger: 'Messenger',
  telegram: 'Telegram Web',
  discord: 'Discord',
  slack: 'Slack',
  gchat: 'Google Chat',
  random: 'Video chat with strangers',
  generic: 'PlainChat',
};

/** The shell of a replica: like the real single-page apps, the bundle builds the whole page. */
export function replicaPageHtml(site: ReplicaSite): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(REPLICA_TITLES[site.page])}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/assets/replica.css">${site.page === 'slack' ? '\n<link rel="stylesheet" href="/assets/quill.core.css">' : ''}
</head>
<body class="replica replica-${site.page}" data-replica="${esc(site.id)}" data-skin="${esc(site.skin ?? '')}">
<script src="/assets/replica-${site.page}.js"></script>
</body></html>`;
}

/** Layout for the replicas: enough that every list and editor is visible and sized. */
export const REPLICA_CSS = `
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; font: 14px/1.4 system-ui, sans-serif; }
.replica [contenteditable], .replica textarea { min-height: 38px; max-height: 160px; overflow-y: auto; padding: 8px 10px;
  border: 1px solid #c9ccd1; border-radius: 8px; background: #fff; outline: none; white-space: pre-wrap; font: inherit; }
.replica button { cursor: pointer; }
.row-layout { display: flex; height: 100vh; }
.side-pane { width: 280px; flex: none; overflow-y: auto; border-right: 1px solid #ddd; background: #fafafa; }
.main-pane { flex: 1; display: flex; flex-direction: column; min-width: 0; }
.scroll { flex: 1; overflow-y: auto; padding: 10px; min-height: 200px; }
.composer-row { display: flex; gap: 8px; padding: 8px; align-items: flex-end; border-top: 1px solid #ddd; }
.composer-row > .grow { flex: 1; min-width: 0; }
.chat-row { padding: 8px 12px; border-bottom: 1px solid #eee; cursor: pointer; }
.chat-row[aria-selected="true"] { background: #e8f0fe; }
.bubble-out, .message-out, .is-out, .message.out { text-align: right; }
.replica-telegram .chat:not(.active) { display: none; }
.replica-telegram .bubbles-remover-container { height: 0; overflow: hidden; }
.replica-slack .p-flexpane { width: 360px; flex: none; border-left: 1px solid #ddd; display: flex; flex-direction: column; }
.replica-slack .p-flexpane[hidden] { display: none; }
.replica-random .video-row { display: flex; gap: 8px; padding: 8px; }
.replica-random video { width: 320px; height: 240px; background: #000; }
.replica-random .chat { display: flex; flex-direction: column; height: 360px; border: 1px solid #ddd; }
.replica-random .chat__messages { flex: 1; overflow-y: auto; padding: 8px; }
.replica-random .message.system { color: #666; font-style: italic; }
`;
