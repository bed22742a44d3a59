import type { QueryRunner } from 'typeorm';

/**
 * Gives a query runner's connection back to the pool after rolling back what is still open, or, given `error`,
 * closes it instead (PostgreSQL then rolls back what was open): a connection that failed mid-COPY, or holds session
 * state (temporary tables, settings), must not serve the next caller.
 */
export async function releaseOrDiscard(runner: QueryRunner, error?: Error): Promise<void> {
  const discard = (runner as unknown as { releasePostgresConnection?: (e: Error) => Promise<void> })
    .releasePostgresConnection;
  if (error && discard) return discard.call(runner, error);
  if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
  await runner.release();
}
