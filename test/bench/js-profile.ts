/**
 * V8 CPU profiles of a Chromium's JavaScript contexts during a measured window
 * (VEIL_CALL_PROFILE=js): the page, its dedicated workers (Veil's media worker), its
 * out-of-process frames (Veil's overlay, compose and message frames) and service workers, over the
 * DevTools protocol on the port Chromium was started with (`--remote-debugging-port=0` writes it
 * to DevToolsActivePort in the profile directory). Unlike perf on a stripped binary, V8's profiler
 * names the browser APIs a script calls (getMetadata, the data setter, the streams) and the
 * garbage collector.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';

interface CdpMessage {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
  sessionId?: string;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface TargetProfile {
  /** "page", "worker", "iframe", "service_worker" */
  type: string;
  url: string;
  /** self time (ms) by "function (script)" */
  self: Map<string, number>;
  /** total profiled ms (without idle) */
  busyMs: number;
}

class Cdp {
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  private readonly listeners: Array<(m: CdpMessage) => void> = [];

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const m = JSON.parse(data.toString()) as CdpMessage;
      if (m.id !== undefined) {
        const w = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        if (m.error) w?.reject(new Error(m.error.message));
        else w?.resolve(m.result ?? {});
      } else for (const l of this.listeners) l(m);
    });
  }

  static async connect(url: string): Promise<Cdp> {
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 512 * 1024 * 1024 });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new Cdp(ws);
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  }

  on(fn: (m: CdpMessage) => void): void {
    this.listeners.push(fn);
  }

  close(): void {
    this.ws.close();
  }
}

/** The DevTools port of a Chromium started with --remote-debugging-port=0 and this profile directory. */
export function devToolsPort(profileDir: string): number {
  const first = readFileSync(join(profileDir, 'DevToolsActivePort'), 'utf8').split('\n')[0];
  const port = Number(first);
  if (!Number.isInteger(port) || port <= 0) throw new Error(`no DevTools port in ${profileDir}`);
  return port;
}

function summarize(profile: CpuProfile): { self: Map<string, number>; busyMs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let busy = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]!);
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    if (!node) continue;
    const cf = node.callFrame;
    if (cf.functionName === '(idle)') continue;
    busy += ms;
    const script = cf.url.replace(/^.*\//, '').replace(/[?#].*$/, '').slice(0, 40);
    const key = `${cf.functionName || '(anonymous)'}${script ? ` (${script})` : ''}`;
    self.set(key, (self.get(key) ?? 0) + ms);
  }
  return { self, busyMs: busy };
}

/**
 * Profiles every page target whose URL matches `pageUrl`, its dedicated workers and out-of-process
 * frames, and every service worker, for `seconds`.
 */
export async function profileJs(port: number, pageUrl: (url: string) => boolean, seconds: number, saveDir?: string): Promise<TargetProfile[]> {
  const version = (await (await fetch(`http://127.0.0.1:${port}/json/version`)).json()) as { webSocketDebuggerUrl: string };
  const cdp = await Cdp.connect(version.webSocketDebuggerUrl);
  const sessions = new Map<string, { type: string; url: string }>();
  const started: Array<Promise<unknown>> = [];
  const startIn = (sessionId: string): void => {
    started.push(
      (async () => {
        await cdp.send('Profiler.enable', {}, sessionId);
        await cdp.send('Profiler.setSamplingInterval', { interval: 250 }, sessionId);
        await cdp.send('Profiler.start', {}, sessionId);
      })().catch(() => sessions.delete(sessionId)),
    );
  };
  cdp.on((m) => {
    if (m.method !== 'Target.attachedToTarget' || !m.params) return;
    const sessionId = m.params.sessionId as string;
    const info = m.params.targetInfo as { type: string; url: string };
    sessions.set(sessionId, { type: info.type, url: info.url });
    // Children (workers, out-of-process frames) of this target attach too.
    void cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: true }, sessionId).catch(() => undefined);
    startIn(sessionId);
  });
  try {
    const { targetInfos } = (await cdp.send('Target.getTargets')) as { targetInfos: Array<{ targetId: string; type: string; url: string }> };
    for (const t of targetInfos) {
      if ((t.type === 'page' && pageUrl(t.url)) || t.type === 'service_worker') {
        await cdp.send('Target.attachToTarget', { targetId: t.targetId, flatten: true });
      }
    }
    await new Promise((r) => setTimeout(r, 1000)); // children attach
    await Promise.all(started);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const out: TargetProfile[] = [];
    for (const [sessionId, info] of sessions) {
      try {
        const { profile } = (await cdp.send('Profiler.stop', {}, sessionId)) as { profile: CpuProfile };
        out.push({ ...info, ...summarize(profile) });
        // Raw profiles open in Chromium's DevTools (Performance panel) for the call trees.
        if (saveDir) writeFileSync(join(saveDir, `${port}-${info.type}-${sessionId.slice(0, 8)}.cpuprofile`), JSON.stringify(profile));
      } catch {
        /* target went away */
      }
    }
    return out;
  } finally {
    cdp.close();
  }
}
