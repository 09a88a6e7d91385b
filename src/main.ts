import { parseConfig, ConfigError } from './platform/config.js';
import { createParley } from './server.js';
import { DEMO_PASSWORD } from './agents/index.js';

async function main(): Promise<void> {
  let config;
  try {
    config = parseConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`parley: configuration error: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const parley = await createParley(config, { demoAgent: true });
  await parley.app.listen({ port: config.port, host: config.host });
  const origin = config.publicUrl ?? `http://localhost:${config.port}`;
  const lines = [
    '',
    `Parley is listening on ${origin}`,
    `  storage: ${config.databaseUrl ? 'PostgreSQL' : `SQLite in ${config.dataDir}`}`,
    `  account SID: ${parley.account.sid}`,
    parley.generatedCredentials || !config.authToken ? `  auth token:  ${parley.account.authToken}` : '  auth token:  (from PARLEY_AUTH_TOKEN)',
    `  try: curl -u ${parley.account.sid}:<auth token> ${origin}/conversations/v1/Conversations`,
    ...(parley.demoAgents.length > 0
      ? [`  agent desktop: ${origin}/agent/  (${parley.demoAgents.map((a) => `${a.username} / ${DEMO_PASSWORD}`).join(', ')}; customer simulator: ${origin}/agent/simulator.html)`]
      : []),
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
  const shutdown = async (signal: string) => {
    parley.app.log.info({ signal }, 'shutting down');
    await parley.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  process.stderr.write(`parley: failed to start: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
