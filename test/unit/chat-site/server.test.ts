import http from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startChatSite, type ChatSite } from '../../chat-site/server.ts';
import type { ServerFrame } from '../../chat-site/protocol.ts';

/** A raw WebSocket user of the chat site that queues every frame it receives. */
class User {
  frames: ServerFrame[] = [];
  private waiters: (() => void)[] = [];
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      this.frames.push(JSON.parse(String(d as Buffer)) as ServerFrame);
      for (const w of this.waiters.splice(0)) w();
    });
  }
  static async join(site: ChatSite, room: string, user: string, extra = ''): Promise<User> {
    const ws = new WebSocket(`${site.url.replace('http', 'ws')}/ws?room=${room}&user=${user}${extra}`);
    const u = new User(ws);
    await u.next('welcome');
    return u;
  }
  /** Resolves with the first not-yet-consumed frame of type t. */
  async next<T extends ServerFrame['t']>(t: T): Promise<Extract<ServerFrame, { t: T }>> {
    for (;;) {
      const i = this.frames.findIndex((f) => f.t === t);
      if (i >= 0) return this.frames.splice(i, 1)[0] as Extract<ServerFrame, { t: T }>;
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }
  send(obj: unknown): void {
    this.ws.send(JSON.stringify(obj));
  }
  close(): void {
    this.ws.close();
  }
}

async function joinWithWelcome(site: ChatSite, room: string, user: string, extra = ''): Promise<Extract<ServerFrame, { t: 'welcome' }>> {
  const ws = new WebSocket(`${site.url.replace('http', 'ws')}/ws?room=${room}&user=${user}${extra}`);
  const frame = await new Promise<ServerFrame>((resolve) => ws.once('message', (d) => resolve(JSON.parse(String(d as Buffer)) as ServerFrame)));
  ws.close();
  if (frame.t !== 'welcome') throw new Error(`expected welcome, got ${frame.t}`);
  return frame;
}

describe('chat site server', () => {
  let site: ChatSite;
  const users: User[] = [];
  const join = async (room: string, user: string, extra = ''): Promise<User> => {
    const u = await User.join(site, room, user, extra);
    users.push(u);
    return u;
  };
  beforeEach(async () => {
    site = await startChatSite();
  });
  afterEach(async () => {
    for (const u of users.splice(0)) u.close();
    await site.close();
  });

  it('binds 127.0.0.1 on an ephemeral port and serves the pages and bundles', async () => {
    expect(site.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(site.port).toBeGreaterThan(0);
    const page = await (await fetch(`${site.url}/chat/lobby?user=a&editor=lexical`)).text();
    expect(page).toContain('id="composer"');
    expect(page).toContain('/assets/chat-lexical.js');
    expect(page).not.toContain('hostile.js');
    const hostile = await (await fetch(`${site.url}/chat/lobby?user=a&editor=quill&hostile=1`)).text();
    expect(hostile).toContain('/assets/hostile.js');
    const js = await fetch(`${site.url}/assets/chat-slate.js`);
    expect(js.status).toBe(200);
    expect((await js.text()).length).toBeGreaterThan(10_000);
    expect((await fetch(`${site.url}/chat/lobby?editor=nope`)).status).toBe(400);
  });

  it('relays between users of one room and not across rooms', async () => {
    const alice = await join('r1', 'alice');
    const bob = await join('r1', 'bob');
    const eve = await join('r2', 'eve');
    alice.send({ t: 'send', text: 'hi bob', nonce: 'n1' });
    const atBob = await bob.next('msg');
    expect(atBob.msg).toMatchObject({ author: 'alice', text: 'hi bob' });
    expect((await alice.next('ack')).id).toBe(atBob.msg.id);
    expect((await alice.next('msg')).msg.text).toBe('hi bob'); // the sender sees its own message too
    eve.send({ t: 'send', text: 'only r2' });
    expect((await eve.next('msg')).msg.text).toBe('only r2');
    bob.send({ t: 'send', text: 'back to alice' });
    expect((await alice.next('msg')).msg.text).toBe('back to alice');
    expect(alice.frames.some((f) => f.t === 'msg' && f.msg.text === 'only r2')).toBe(false);
    expect(bob.frames.some((f) => f.t === 'msg' && f.msg.text === 'only r2')).toBe(false);
  });

  it('sends history to a joining user (a reload shows it again)', async () => {
    const alice = await join('hist', 'alice');
    alice.send({ t: 'send', text: 'first' });
    await alice.next('msg');
    alice.send({ t: 'send', text: 'second' });
    await alice.next('msg');
    const w = await joinWithWelcome(site, 'hist', 'bob');
    expect(w.history.map((m) => [m.author, m.text])).toEqual([
      ['alice', 'first'],
      ['alice', 'second'],
    ]);
    expect(w.maxLength).toBe(2000);
  });

  it('refuses over-long messages (default 2000 UTF-16 units, ?maxlen on first join, setRoomMaxLength)', async () => {
    const alice = await join('len', 'alice');
    alice.send({ t: 'send', text: 'x'.repeat(2001), nonce: 'long' });
    const err = await alice.next('error');
    expect(err).toMatchObject({ code: 'too_long', nonce: 'long', length: 2001, maxLength: 2000 });
    // UTF-16 units: 1000 emoji are 2000 units, accepted; one more is refused.
    alice.send({ t: 'send', text: '😀'.repeat(1000) });
    expect((await alice.next('msg')).msg.text.length).toBe(2000);
    alice.send({ t: 'send', text: `${'😀'.repeat(1000)}a` });
    expect((await alice.next('error')).code).toBe('too_long');

    const carol = await join('small', 'carol', '&maxlen=10');
    carol.send({ t: 'send', text: '12345678901' });
    expect((await carol.next('error')).maxLength).toBe(10);
    const late = await joinWithWelcome(site, 'small', 'dave', '&maxlen=5000'); // not the first join: ignored
    expect(late.maxLength).toBe(10);

    site.setRoomMaxLength('small', 3);
    expect((await carol.next('room')).maxLength).toBe(3);
    carol.send({ t: 'send', text: 'abcd' });
    expect((await carol.next('error')).maxLength).toBe(3);
    expect(site.log.filter((e) => e.room === 'small')).toEqual([]);
  });

  it('logs every relayed chat message and signal', async () => {
    const alice = await join('log', 'alice');
    const bob = await join('log', 'bob');
    alice.send({ t: 'send', text: 'logged' });
    await bob.next('msg');
    alice.send({ t: 'video-start' });
    bob.send({ t: 'video-start' });
    await alice.next('video-paired');
    await bob.next('video-paired');
    alice.send({ t: 'signal', payload: { kind: 'offer', sdp: 'v=0' } });
    expect((await bob.next('signal')).payload).toEqual({ kind: 'offer', sdp: 'v=0' });
    expect(site.log).toMatchObject([
      { room: 'log', from: 'alice', kind: 'chat', text: 'logged' },
      { room: 'log', from: 'alice', to: 'bob', kind: 'signal', payload: { kind: 'offer', sdp: 'v=0' } },
    ]);
    for (const e of site.log) expect(typeof e.at).toBe('number');
    site.clearLog();
    expect(site.log).toEqual([]);
  });

  it('relay transform rewrites or drops in flight, invisibly to the sender', async () => {
    const alice = await join('mitm', 'alice');
    const bob = await join('mitm', 'bob');
    site.setRelayTransform((room, from, text) => (text.startsWith('drop') ? null : `${room}/${from}: ${text.toUpperCase()}`));
    alice.send({ t: 'send', text: 'key A' });
    expect((await bob.next('msg')).msg.text).toBe('mitm/alice: KEY A');
    expect((await alice.next('msg')).msg.text).toBe('key A');
    alice.send({ t: 'send', text: 'drop me' });
    expect((await alice.next('msg')).msg.text).toBe('drop me');
    site.setRelayTransform(null);
    alice.send({ t: 'send', text: 'plain again' });
    expect((await bob.next('msg')).msg.text).toBe('plain again');
    expect(bob.frames.some((f) => f.t === 'msg' && f.msg.text.includes('drop'))).toBe(false);
    expect(site.log).toMatchObject([
      { kind: 'chat', text: 'mitm/alice: KEY A', original: 'key A' },
      { kind: 'chat', text: 'plain again' },
    ]);
    expect(site.log[1]).not.toHaveProperty('original');
    // History follows the same views: bob sees the rewritten text, alice her own.
    expect((await joinWithWelcome(site, 'mitm', 'bob')).history.map((m) => m.text)).toEqual(['mitm/alice: KEY A', 'plain again']);
    expect((await joinWithWelcome(site, 'mitm', 'alice')).history.map((m) => m.text)).toEqual(['key A', 'drop me', 'plain again']);
  });

  it('inject posts a forged message as any user', async () => {
    const bob = await join('forge', 'bob');
    const msg = site.inject('forge', 'alice', 'forged handshake');
    const got = await bob.next('msg');
    expect(got.msg).toEqual(msg);
    expect(got.msg.author).toBe('alice');
    expect(site.log).toMatchObject([{ room: 'forge', from: 'alice', kind: 'chat', text: 'forged handshake', injected: true }]);
    expect(site.history('forge').map((m) => m.text)).toEqual(['forged handshake']);
    expect(() => site.inject('bad room!', 'x', 'y')).toThrow();
  });

  it('pairs video users, relays signals only to the partner, and Next re-pairs', async () => {
    const a = await join('vid', 'a');
    const b = await join('vid', 'b');
    a.send({ t: 'video-start' });
    await a.next('video-waiting');
    b.send({ t: 'video-start' });
    const pa = await a.next('video-paired');
    const pb = await b.next('video-paired');
    expect([pa.partner, pb.partner]).toEqual(['b', 'a']);
    expect(pa.initiator !== pb.initiator).toBe(true);
    const c = await join('vid', 'c');
    c.send({ t: 'video-start' });
    await c.next('video-waiting');
    a.send({ t: 'video-next' });
    expect((await b.next('video-hangup')).reason).toBe('next');
    expect((await a.next('video-paired')).partner).toBe('c');
    expect((await c.next('video-paired')).partner).toBe('a');
    c.send({ t: 'signal', payload: 'to a' });
    expect((await a.next('signal')).payload).toBe('to a');
    expect(b.frames.some((f) => f.t === 'signal')).toBe(false);
  });

  it('rejects bad handles and unreadable frames', async () => {
    const bad = new WebSocket(`${site.url.replace('http', 'ws')}/ws?room=x&user=${encodeURIComponent('<b>')}`);
    await new Promise<void>((resolve) => bad.once('error', () => resolve()));
    const alice = await join('frames', 'alice');
    alice.ws.send('{not json');
    expect((await alice.next('error')).code).toBe('bad_frame');
    alice.send({ t: 'send', text: 42 });
    expect((await alice.next('error')).code).toBe('bad_frame');
  });

  it('serves each replica by the Host it is asked for, and signs people in with a cookie', async () => {
    const get = (path: string, host: string): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> =>
      new Promise((resolve, reject) => {
        http
          .get(`${site.url}${path}`, { headers: { host } }, (res) => {
            let body = '';
            res.on('data', (d: Buffer) => (body += d.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
          })
          .on('error', reject);
      });
    const wa = await get('/', 'web.whatsapp.com');
    expect(wa.status).toBe(200);
    expect(wa.body).toContain('/assets/replica-whatsapp.js');
    // Any path of a single-page app gets the app; the plain chat site is untouched on 127.0.0.1.
    expect((await get('/channels/1000/2001', 'discord.com')).body).toContain('/assets/replica-discord.js');
    expect((await get('/', `127.0.0.1:${site.port}`)).body).toContain('ChatSite');
    expect((await get('/assets/replica-slack.js', 'app.slack.com')).status).toBe(200);

    const login = await get('/__replica/login?user=alice&next=%2Fk%2F', 'web.telegram.org');
    expect(login.status).toBe(302);
    expect(login.headers.location).toBe('/k/');
    const cookie = String(login.headers['set-cookie']?.[0]).split(';')[0] ?? '';
    expect(cookie).toBe('replica_user=alice');
    expect((await get('/__replica/login?user=<b>', 'web.telegram.org')).status).toBe(400);
    expect((await get('/__replica/login?user=alice&next=//evil.example/', 'web.telegram.org')).status).toBe(400);

    // The page's WebSocket names no user: the cookie does.
    const ws = new WebSocket(`${site.url.replace('http', 'ws')}/ws?room=tg.lobby`, { headers: { cookie } });
    const welcome = await new Promise<ServerFrame>((resolve) => ws.once('message', (d) => resolve(JSON.parse(String(d as Buffer)) as ServerFrame)));
    ws.close();
    expect(welcome).toMatchObject({ t: 'welcome', you: 'alice', room: 'tg.lobby' });
  });

  it('strangers rooms: text goes only to the current partner and is never kept', async () => {
    const a = await join('strangers.x', 'a', '&kind=strangers');
    const b = await join('strangers.x', 'b');
    const c = await join('strangers.x', 'c');
    a.send({ t: 'send', text: 'anyone?' });
    expect((await a.next('error')).code).toBe('no_partner');
    a.send({ t: 'video-start' });
    b.send({ t: 'video-start' });
    await a.next('video-paired');
    await b.next('video-paired');
    a.send({ t: 'send', text: 'hi stranger' });
    expect((await b.next('msg')).msg).toMatchObject({ author: 'a', text: 'hi stranger' });
    expect((await a.next('msg')).msg).toMatchObject({ author: 'a', text: 'hi stranger' });
    c.send({ t: 'send', text: 'me too' });
    expect((await c.next('error')).code).toBe('no_partner');
    expect(c.frames.some((f) => f.t === 'msg')).toBe(false);
    expect(site.log.filter((e) => e.kind === 'chat')).toEqual([expect.objectContaining({ from: 'a', to: 'b', text: 'hi stranger' })]);
    expect((await joinWithWelcome(site, 'strangers.x', 'd')).history).toEqual([]);
  });

  it('carries the message a reply answers, and refuses a malformed one', async () => {
    const alice = await join('replies', 'alice');
    const bob = await join('replies', 'bob');
    alice.send({ t: 'send', text: 'question' });
    const q = (await bob.next('msg')).msg;
    bob.send({ t: 'send', text: 'answer', replyTo: q.id });
    expect((await alice.next('msg')).msg).toMatchObject({ author: 'alice', text: 'question' });
    expect((await alice.next('msg')).msg).toMatchObject({ author: 'bob', text: 'answer', replyTo: q.id });
    bob.send({ t: 'send', text: 'x', replyTo: -1 });
    expect((await bob.next('error')).code).toBe('bad_frame');
  });
});
