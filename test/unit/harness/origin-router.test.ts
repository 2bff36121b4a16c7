import http from 'node:http';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startOriginRouter, type OriginRouter } from '../../e2e/harness/origin-router.ts';

/** CONNECT through the proxy: resolves with the status line's code and the raw socket. */
function connect(router: OriginRouter, target: string): Promise<{ status: number; socket: import('node:net').Socket }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: router.proxyPort, method: 'CONNECT', path: target });
    req.on('connect', (res, socket) => resolve({ status: res.statusCode ?? 0, socket }));
    req.on('error', reject);
    req.end();
  });
}

describe('origin router (real origins served locally for the test browsers)', () => {
  let router: OriginRouter | null = null;
  let server: http.Server | null = null;
  afterEach(async () => {
    await router?.close();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  });

  it('ends TLS for routed hosts with its own certificate and forwards to the local server, Host intact', async () => {
    server = http.createServer((req, res) => res.end(`host=${req.headers.host}`));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    router = await startOriginRouter({ hosts: ['web.whatsapp.com', 'discord.com'], targetPort: (server.address() as AddressInfo).port });
    const { status, socket } = await connect(router, 'discord.com:443');
    expect(status).toBe(200);
    const secure = tls.connect({ socket, servername: 'discord.com', rejectUnauthorized: false });
    await new Promise<void>((r) => secure.once('secureConnect', () => r()));
    // The certificate names every routed host and is the one the browsers are told to accept.
    const cert = secure.getPeerX509Certificate();
    expect(cert?.subjectAltName).toBe('DNS:web.whatsapp.com, DNS:discord.com');
    const spki = cert!.publicKey.export({ type: 'spki', format: 'der' });
    expect((await import('node:crypto')).createHash('sha256').update(spki).digest('base64')).toBe(router.spkiHash);
    secure.write('GET /channels/1/2 HTTP/1.1\r\nHost: discord.com\r\nConnection: close\r\n\r\n');
    let reply = '';
    for await (const chunk of secure) reply += String(chunk);
    expect(reply).toContain('host=discord.com');
  });

  it('refuses every host it does not route, other ports, and plain http: nothing leaves the machine', async () => {
    router = await startOriginRouter({ hosts: ['web.whatsapp.com'], targetPort: 9 });
    expect((await connect(router, 'example.com:443')).status).toBe(403);
    expect((await connect(router, 'web.whatsapp.com:80')).status).toBe(403);
    const plain = await new Promise<number>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: router!.proxyPort, path: 'http://web.whatsapp.com/', headers: { host: 'web.whatsapp.com' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on('error', reject);
    });
    expect(plain).toBe(403);
    expect(router.refused).toEqual(['example.com:443', 'web.whatsapp.com:80', 'web.whatsapp.com']);
  });

  it('takes host names only', async () => {
    await expect(startOriginRouter({ hosts: ['https://discord.com'], targetPort: 9 })).rejects.toThrow('not a host name');
  });
});
