// Starts the HTTP API and/or the queue workers according to APP_ROLE; exits 0 after a graceful SIGTERM.
import 'reflect-metadata';
import { InvalidEnvironmentError } from './config/app-config';
import { startApp } from './bootstrap';

async function main(): Promise<void> {
  const { app, config, url } = await startApp();
  const log = (msg: string) => process.stdout.write(`${JSON.stringify({ level: 30, time: Date.now(), msg })}\n`);
  log(`impact-notices started: role=${config.APP_ROLE}${url ? ` http=${url} docs=${url}/api/docs` : ''}`);
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    log(`${signal}: stopping (HTTP closes, workers finish their current jobs)`);
    const force = setTimeout(() => {
      log('shutdown took longer than 25 s; exiting');
      process.exit(1);
    }, 25_000);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`shutdown failed: ${String(e)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((e: unknown) => {
  if (e instanceof InvalidEnvironmentError) {
    process.stderr.write(`${e.message}\n`);
  } else {
    process.stderr.write(
      `impact-notices failed to start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
  }
  process.exit(1);
});
