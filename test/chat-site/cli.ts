// Starts the chat site for trying it by hand: node --import tsx test/chat-site/cli.ts [port]
import { startChatSite } from './server.ts';

const port = Number(process.argv[2] ?? 0);
const site = await startChatSite({ port: Number.isSafeInteger(port) && port >= 0 ? port : 0 });
console.log(`chat site: ${site.url}`);
console.log(`  chat:  ${site.url}/chat/lobby?user=alice&editor=lexical`);
console.log(`  video: ${site.url}/video/lobby?user=alice`);
const stop = (): void => void site.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
