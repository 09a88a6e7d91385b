import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import twilio from 'twilio';
import { parseConfig } from '../../src/platform/config.js';
import { createParley, type Parley } from '../../src/server.js';
import { dropPgSchema } from '../../src/storage/db.js';
import { ENGINES, localHttpClient } from '../support/harness.js';
import { startFakeCarrier, sendSignedWebhook, inboundParams, phone, eventually, type FakeCarrier } from '../support/fake-carrier.js';

/** The main account's carrier from PARLEY_TWILIO_* (no admin call), on each engine. */
for (const engine of ['sqlite', 'postgres'] as const) {
  (ENGINES.includes(engine) ? describe : describe.skip)(`Carrier from the environment [${engine}]`, () => {
    let carrier: FakeCarrier;
    let parley: Parley;
    let origin: string;
    let client: twilio.Twilio;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-env-carrier-'));
    const pgSchema = engine === 'postgres' ? `t_${randomBytes(6).toString('hex')}` : undefined;

    beforeAll(async () => {
      carrier = await startFakeCarrier();
      const config = parseConfig({
        DATA_DIR: dataDir,
        ...(engine === 'postgres' ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
        PARLEY_WORKER_POLL_MS: '20',
        PARLEY_TWILIO_ACCOUNT_SID: carrier.accountSid,
        PARLEY_TWILIO_AUTH_TOKEN: carrier.authToken,
        PARLEY_TWILIO_API_URL: carrier.url,
      });
      parley = await createParley(config, { logger: false, webhookRetryBaseMs: 20, ...(pgSchema ? { pgSchema } : {}) });
      await parley.app.listen({ port: 0, host: '127.0.0.1' });
      origin = `http://127.0.0.1:${(parley.app.server.address() as { port: number }).port}`;
      client = twilio(parley.account.sid, parley.account.authToken, { httpClient: localHttpClient(origin) });
    });
    afterAll(async () => {
      await parley?.close();
      await carrier?.close();
      if (pgSchema && process.env.DATABASE_URL) await dropPgSchema(process.env.DATABASE_URL, pgSchema);
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('routes the carrier webhook to the main account and replies through the environment carrier', async () => {
      const view = await fetch(`${origin}/parley/v1/Channels/TwilioMessaging`, { headers: { Authorization: 'Basic ' + Buffer.from(`${parley.account.sid}:${parley.account.authToken}`).toString('base64') } });
      expect(await view.json()).toMatchObject({ provider: 'twilio', source: 'environment', carrier_account_sid: carrier.accountSid, api_url: carrier.url, status_callback_url: null, date_created: null });
      const number = phone();
      const customer = phone();
      await client.conversations.v1.addressConfigurations.create({ type: 'sms', address: number, 'autoCreation.enabled': true });
      expect((await sendSignedWebhook(`${origin}/webhooks/twilio/messaging`, inboundParams(carrier, { from: customer, to: number, body: 'env' }), carrier.authToken)).status).toBe(200);
      const [pc] = await client.conversations.v1.participantConversations.list({ address: customer });
      await client.conversations.v1.conversations(pc!.conversationSid).messages.create({ body: 'system notice' });
      const [req] = await eventually(async () => carrier.requests.length > 0 && carrier.requests);
      // No PUBLIC_URL: nothing tells the carrier where to call back.
      expect(req!.params).toEqual({ To: customer, From: number, Body: 'system notice' });
    });
  });
}
