/** Tiny static server for harness self-tests (the chat site proper lives in test/chat-site). */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// The page's first script records whether Veil's main-world script already ran.
const HOOK_ORDER_PAGE = `<!doctype html><html><head><meta charset="utf-8"><script>
window.__hookBeforePage = document.documentElement.getAttribute('data-veil-hook');
</script><title>hook order</title></head><body><p>fixture</p></body></html>`;

export async function startFixtureServer(): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.url?.startsWith('/hook-order')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(HOOK_ORDER_PAGE);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { port, close: () => new Promise((r) => server.close(() => r())) };
}
