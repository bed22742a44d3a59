// Heavy fault tests (spawned workers, killed processes, restarted servers) hold a PostgreSQL advisory lock for the
// whole file, so two of them never run at the same time and their timing-based bounds stay meaningful.
import { Client } from 'pg';

const ADMIN_URL = process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const WAIT_MS = 20 * 60_000;

/** Call first inside the file's top-level describe. */
export function runAlone(name = 'impact-heavy-fault-tests'): void {
  let lock: Client | undefined;
  beforeAll(async () => {
    lock = new Client({ connectionString: ADMIN_URL, application_name: `run-alone ${name}` });
    await lock.connect();
    await lock.query('SELECT pg_advisory_lock(hashtext($1))', [name]);
  }, WAIT_MS);
  afterAll(async () => {
    await lock?.end();
  });
}
