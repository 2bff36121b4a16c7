// Starts the chat site for trying it by hand: node --import ./test/setup/run-ts.mjs test/chat-site/cli.ts [port] [--replicas]
// With --replicas, also the proxy that serves the replicas at their real origins (https), and the
// Chromium flags that route a browser through it.
import { startOriginRouter } from '../e2e/harness/origin-router.ts';
import { routeArgs } from '../e2e/harness/chromium.ts';
import { REPLICAS } from './replicas.ts';
import { startChatSite } from './server.ts';

const args = process.argv.slice(2);
const port = Number(args.find((a) => /^\d+$/.test(a)) ?? 0);
const site = await startChatSite({ port: Number.isSafeInteger(port) && port >= 0 ? port : 0 });
console.log(`chat site: ${site.url}`);
console.log(`  chat:  ${site.url}/chat/lobby?user=alice&editor=lexical`);
console.log(`  video: ${site.url}/video/lobby?user=alice`);
const router = args.includes('--replicas') ? await startOriginRouter({ hosts: REPLICAS.map((r) => r.host), targetPort: site.port }) : null;
if (router) {
  console.log(`replicas (through the proxy only): chromium --user-data-dir=$(mktemp -d) ${routeArgs(router).join(' ')} \\`);
  for (const r of REPLICAS) console.log(`  https://${r.host}/__replica/login?user=alice&next=${encodeURIComponent(r.start)}`);
}
const stop = (): void => void Promise.all([site.close(), router?.close()]).then(
  () => process.exit(0),
  () => process.exit(1),
);
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
