import { createServer } from 'node:net';
import { createTestEnv, TestEnv } from '../support/test-env';
import { spawnService, waitFor } from '../support/service-process';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe('the service process', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv('process');
  });
  afterAll(() => env.cleanup());

  it('refuses to start on a bad variable, naming it and what is expected', async () => {
    const p = spawnService({ ...env.env, PORT: 'eighty', MAIL_MAX_ATTEMPTS: '0' });
    const { code } = await p.exited;
    expect(code).toBe(1);
    expect(p.output()).toMatch(/Invalid environment variables:/);
    expect(p.output()).toMatch(/PORT: .*must be an integer/);
    expect(p.output()).toMatch(/MAIL_MAX_ATTEMPTS: .*must not be less than 1/);
  });

  it('creates its database, answers /health, and exits 0 within 10 s of SIGTERM', async () => {
    const port = await freePort();
    const fresh = new URL(env.db.url);
    fresh.pathname = `${fresh.pathname}_fresh`;
    const p = spawnService({ ...env.env, PORT: String(port), DATABASE_URL: fresh.toString() });
    try {
      await waitFor('health 200', async () => (await fetch(`http://127.0.0.1:${port}/health`)).status === 200);
      const started = Date.now();
      p.child.kill('SIGTERM');
      const { code } = await p.exited;
      expect(code).toBe(0);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      p.child.kill('SIGKILL');
      const { Client } = await import('pg');
      const admin = new Client({ connectionString: env.db.url });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${fresh.pathname.slice(1)}" WITH (FORCE)`);
      await admin.end();
    }
  });
});
