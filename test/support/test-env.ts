// Gives one test file its own database, Redis prefix and outbox, exported through process.env for loadConfig().
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, TestDatabase } from './database';
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from './redis';

export interface TestEnv {
  db: TestDatabase;
  prefix: string;
  outbox: string;
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

export async function createTestEnv(
  label: string,
  overrides: Record<string, string> = {},
  opts: { nonSuperuser?: boolean } = {},
): Promise<TestEnv> {
  const db = await createTestDatabase(label, opts);
  const prefix = uniquePrefix(label);
  const outbox = mkdtempSync(join(tmpdir(), `impact-outbox-${label}-`));
  const env: Record<string, string> = {
    DATABASE_URL: db.appUrl,
    REDIS_URL: TEST_REDIS_URL,
    BULLMQ_PREFIX: prefix,
    OUTBOX_DIR: outbox,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    PORT: '0',
    ...overrides,
  };
  Object.assign(process.env, env);
  return {
    db,
    prefix,
    outbox,
    env,
    async cleanup() {
      await deleteKeys(prefix);
      await db.drop();
      rmSync(outbox, { recursive: true, force: true });
    },
  };
}
