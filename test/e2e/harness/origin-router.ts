/**
 * Serves real https origins (https://web.whatsapp.com/, https://discord.com/, …) from a local
 * plain-HTTP server, for the browsers under test only, without touching the network.
 *
 * How: a forward proxy on 127.0.0.1 that the test browsers are pointed at. It accepts
 * `CONNECT <routed host>:443` only, ends TLS itself with a self-signed certificate made at
 * start (never written to disk) naming every routed host, and pipes the decrypted bytes to the
 * local server, so the page's origin, its Host header and its WebSocket upgrades are the real
 * site's. Every other request is refused: an unrouted host never reaches the internet.
 * The browsers accept that one certificate (Chromium by its key hash, Firefox through WebDriver
 * BiDi's acceptInsecureCerts); see chromium.ts and firefox.ts.
 */
import { createHash, X509Certificate } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import selfsigned from 'selfsigned';

export interface OriginRouter {
  /** Port of the proxy on 127.0.0.1 (both browsers send https traffic for every host here). */
  proxyPort: number;
  /** Hosts served locally, e.g. "web.whatsapp.com". */
  hosts: readonly string[];
  /** The https origins, e.g. "https://web.whatsapp.com". */
  origins: readonly string[];
  /** base64 SHA-256 of the certificate's public key (Chromium's --ignore-certificate-errors-spki-list). */
  spkiHash: string;
  /** Hosts the browsers asked for that are not routed (refused), for diagnostics. */
  refused: string[];
  close(): Promise<void>;
}

const HOST_RE = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;

async function makeCertificate(hosts: readonly string[]): Promise<{ key: string; cert: string; spkiHash: string }> {
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(notBefore.getTime() + 7 * 24 * 3600_000);
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'Veil test origins' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: notBefore,
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: hosts.map((value) => ({ type: 2, value })) },
    ],
  });
  const spki = new X509Certificate(pems.cert).publicKey.export({ type: 'spki', format: 'der' });
  return { key: pems.private, cert: pems.cert, spkiHash: createHash('sha256').update(spki).digest('base64') };
}

/** Starts the proxy; `targetPort` is the local plain-HTTP server (on 127.0.0.1) behind every routed host. */
export async function startOriginRouter(opts: { hosts: readonly string[]; targetPort: number }): Promise<OriginRouter> {
  const hosts = [...new Set(opts.hosts.map((h) => h.toLowerCase()))];
  for (const h of hosts) if (!HOST_RE.test(h)) throw new Error(`not a host name: ${h}`);
  const { key, cert, spkiHash } = await makeCertificate(hosts);
  const context = tls.createSecureContext({ key, cert });
  const refused: string[] = [];
  const open = new Set<net.Socket>();
  const track = (s: net.Socket): void => {
    open.add(s);
    s.once('close', () => open.delete(s));
  };

  const proxy = http.createServer((req, res) => {
    // Plain-http requests through the proxy (http://<host>/…): never forwarded anywhere.
    refused.push(String(req.headers.host ?? req.url ?? '?'));
    res.writeHead(403, { 'content-type': 'text/plain' }).end('not routed by the Veil test proxy');
  });
  proxy.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    track(client);
    client.on('error', () => client.destroy());
    const m = /^([^:]+):(\d+)$/.exec(req.url ?? '');
    const host = m?.[1]?.toLowerCase() ?? '';
    if (!m || m[2] !== '443' || !hosts.includes(host)) {
      refused.push(req.url ?? '?');
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) client.unshift(head);
    const secure = new tls.TLSSocket(client, { isServer: true, secureContext: context, ALPNProtocols: ['http/1.1'] });
    const upstream = net.connect(opts.targetPort, '127.0.0.1');
    track(secure);
    track(upstream);
    const fail = (): void => {
      secure.destroy();
      upstream.destroy();
    };
    secure.on('error', fail);
    upstream.on('error', fail);
    secure.pipe(upstream).pipe(secure);
  });

  await new Promise<void>((resolve, reject) => {
    proxy.once('error', reject);
    proxy.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    proxyPort: (proxy.address() as AddressInfo).port,
    hosts,
    origins: hosts.map((h) => `https://${h}`),
    spkiHash,
    refused,
    close: async () => {
      for (const s of open) s.destroy();
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
}
