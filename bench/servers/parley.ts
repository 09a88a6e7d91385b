// Parley itself on embedded SQLite, with a conversation ready to receive messages.
import fs from 'node:fs';
import { parseConfig } from '../../src/platform/config.js';
import { createParley } from '../../src/server.js';

const dir = process.argv[2] ?? fs.mkdtempSync('/tmp/parley-bench-');
const parley = await createParley(parseConfig({ DATA_DIR: dir, LOG_LEVEL: 'error' }), { logger: false });
await parley.app.listen({ port: 0, host: '127.0.0.1' });
const port = (parley.app.server.address() as { port: number }).port;
const auth = 'Basic ' + Buffer.from(`${parley.account.sid}:${parley.account.authToken}`).toString('base64');
const res = await fetch(`http://127.0.0.1:${port}/conversations/v1/Conversations`, {
  method: 'POST',
  headers: { Authorization: auth, 'Content-Type': 'application/x-www-form-urlencoded' },
  body: 'FriendlyName=bench',
});
const conv = (await res.json()) as { sid: string };
process.stdout.write(JSON.stringify({ port, auth, conversationSid: conv.sid }) + '\n');
process.on('SIGTERM', () => process.exit(0));
