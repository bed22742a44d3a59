import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `events.planning`: the event is applied and its first notices are committed, but the rest of its contacts'
 * notices are still being written from its plan (an unlogged `notice_plan_<id>` table) in a transaction of their
 * own (NoticePlanningRepository.writePlannedRest). While it is set, nothing completes the event, and whoever applies
 * the case next (a worker, or the reconciler after a crash) writes the rest first.
 */
export class NoticePlanRest1764100001100 implements MigrationInterface {
  name = 'NoticePlanRest1764100001100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE events ADD COLUMN planning boolean NOT NULL DEFAULT false`);
    await q.query(`CREATE INDEX events_planning_idx ON events (case_id) WHERE planning`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE events DROP COLUMN planning`);
  }
}
