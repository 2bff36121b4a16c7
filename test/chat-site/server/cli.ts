// package.json's "chat-site" script points here; the CLI lives one folder up.
import '../cli.ts';
