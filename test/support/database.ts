// A fresh PostgreSQL database per test file, dropped afterwards.
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

const ADMIN_URL = process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  name: string;
  /** The superuser's URL (fixtures and checks). */
  url: string;
  /** What the app connects with: `url`, or a role that owns the database but is not a superuser. */
  appUrl: string;
  drop(): Promise<void>;
}

/** `nonSuperuser`: the database belongs to a fresh login role without superuser rights, and `appUrl` uses it. */
export async function createTestDatabase(label: string, opts: { nonSuperuser?: boolean } = {}): Promise<TestDatabase> {
  const name = `impact_t_${label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  const role = opts.nonSuperuser ? `${name}_app` : null;
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
    if (role) {
      await admin.query(`CREATE ROLE "${role}" LOGIN PASSWORD 'app' NOSUPERUSER`);
      await admin.query(`ALTER DATABASE "${name}" OWNER TO "${role}"`);
    }
  } finally {
    await admin.end();
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const appUrl = new URL(url);
  if (role) {
    appUrl.username = role;
    appUrl.password = 'app';
  }
  return {
    name,
    url: url.toString(),
    appUrl: appUrl.toString(),
    async drop() {
      const c = new Client({ connectionString: ADMIN_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        if (role) await c.query(`DROP ROLE IF EXISTS "${role}"`);
      } finally {
        await c.end();
      }
    },
  };
}
