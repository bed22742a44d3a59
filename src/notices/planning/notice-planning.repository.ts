// Notice-row planning: when an event is applied, who gets which notice (SPEC §4), written as notice rows and webhook
// deliveries in the lifecycle's transaction for the senders to claim later.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

@Injectable()
export class NoticePlanningRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * One digest per account manager, then one notice per active contact (notices on) of each told customer; and one
   * webhook delivery per told customer with an endpoint, whatever its contacts.
   */
  async insertNoticesForEvent(
    m: EntityManager,
    eventPk: string,
  ): Promise<{ notices: number; customers: number; webhooks: number }> {
    // Fresh statistics first: planned for no rows, the join below ran as 300k index lookups instead of hash joins.
    // They also plan the first affected-list pages for the real size.
    await m.query(`ANALYZE event_customers`);
    // Who is told first (SPEC §4) is the order of the notice ids, which is the order senders claim in: the account
    // managers' digests, then enterprise customers' contacts, then developers'; within a tier, customers with more
    // suspended subscriptions first. Decided here once, it holds across workers and under any rate limit.
    await this.planContactNotices(m, eventPk);
    // One digest per account manager of a customer planned above: read from the plan, which has every told customer
    // with a contact to tell, rather than found again through contacts (at 10M customers, 512k index lookups into
    // contacts that took 39.7 s once the registry was no longer all in the page cache).
    const digests = await inserted(
      m,
      `INSERT INTO notices (event_pk, kind, email, name, locale)
       SELECT $1, 'am-digest', am_email, max(coalesce(am_name, '')), 'en'
         FROM planned_notices
        WHERE am_email IS NOT NULL
        GROUP BY am_email
        ORDER BY am_email`,
      [eventPk],
    );
    const contacts = await this.insertContactNotices(m);
    const webhooks = await this.insertWebhookDeliveries(m, eventPk);
    // The event is new, so its notices are the rows just inserted (counting them again took a second at 1M).
    const [{ customers }] = await m.query(
      `SELECT count(*)::int AS customers FROM event_customers WHERE event_pk = $1`,
      [eventPk],
    );
    return { notices: contacts + digests, customers, webhooks };
  }

  /**
   * The contacts' notices in send order, with their customers' account managers, as the transaction's table
   * `planned_notices`. `INSERT … SELECT` never runs its SELECT in parallel, and at 1M customers the joins and the
   * send-order sort were 4.5 of 7.7 s of the insert on one core. A `CREATE TABLE … AS` may use parallel workers
   * (they see this transaction's event_customers rows), so the rows are produced and numbered here (1.6–1.9 s).
   * No statement reads `send_order`: the window that computes it is what sorts the rows as they are written, and a
   * plain `ORDER BY` in its place measured slower (2.39–3.17 s against 1.86–2.02 s at 1M).
   */
  private async planContactNotices(m: EntityManager, eventPk: string): Promise<void> {
    // Its joins and sort in memory as long as they can be: at 10M customers they spill to disk with 64 MB.
    const [{ work_mem }] = await m.query(`SELECT current_setting('work_mem') AS work_mem`);
    await m.query(`SET LOCAL work_mem = '256MB'`);
    await m.query(`DROP TABLE IF EXISTS planned_notices`);
    await m.query(
      `CREATE TEMPORARY TABLE planned_notices ON COMMIT DROP AS
       SELECT row_number() OVER (ORDER BY c.tier = 'enterprise' DESC, jsonb_array_length(ec.affected) DESC,
                                          jsonb_array_length(ec.removed) DESC, c.id, ct.id) AS send_order,
              ec.event_pk, ec.kind, c.id AS customer_id, c.tier, ct.email, ct.name, ct.locale, c.am_email, c.am_name
         FROM event_customers ec
         JOIN customers c ON c.id = ec.customer_id AND c.active
         JOIN contacts ct ON ct.customer_id = c.id AND ct.notices
        WHERE ec.event_pk = $1`,
      [eventPk],
    );
    await m.query(`SELECT set_config('work_mem', $1, true)`, [work_mem]);
  }

  /** Writes the planned contact notices in send order, then drops the plan. */
  private async insertContactNotices(m: EntityManager): Promise<number> {
    // Written by one `CREATE TABLE … AS` in its window's order, the table holds the rows in send order, and a
    // temporary table's sequential scan always starts at its first page (synchronized scans are for shared tables
    // only) and is never parallel: read whole, it gives the rows in that order, and the sequence numbers them so.
    // Sorting them again by send_order cost 0.15–0.3 s at 1M (in memory, on input already in order) and, once the
    // rows no longer fit in memory, an external merge of all of them (6M at 10M customers).
    // test/integration/send-order.test.ts checks the ids against the rule, serial and parallel.
    const count = await inserted(
      m,
      `INSERT INTO notices (event_pk, kind, customer_id, tier, email, name, locale)
       SELECT event_pk, kind, customer_id, tier, email, name, locale FROM planned_notices`,
      [],
    );
    await m.query(`DROP TABLE planned_notices`);
    return count;
  }

  /**
   * One delivery per (event, customer), not per contact, to the endpoint the customer has now, in the order the
   * customers' mails go. Each keeps what stays suspended for its customer in the case after this event (the case's
   * suspended set was just updated in this transaction), so its payload is the same on every retry.
   */
  private insertWebhookDeliveries(m: EntityManager, eventPk: string): Promise<number> {
    return inserted(
      m,
      `INSERT INTO webhook_deliveries (event_pk, customer_id, kind, url, suspended)
       SELECT ec.event_pk, c.id, ec.kind, w.url,
              coalesce((SELECT jsonb_agg(jsonb_build_object('product', s.product, 'country', s.country)
                                         ORDER BY s.product, s.country)
                          FROM case_suspensions s WHERE s.case_id = e.case_id AND s.customer_id = c.id), '[]')
         FROM event_customers ec
         JOIN events e ON e.id = ec.event_pk
         JOIN customers c ON c.id = ec.customer_id AND c.active
         JOIN customer_webhooks w ON w.customer_id = c.id
        WHERE ec.event_pk = $1
        ORDER BY c.tier = 'enterprise' DESC, jsonb_array_length(ec.affected) DESC, jsonb_array_length(ec.removed) DESC, c.id`,
      [eventPk],
    );
  }

  /**
   * Fresh statistics for the senders' claims and the notice lists, taken once an event's notice rows are committed,
   * so that the applying transaction (and the moment its rows become visible) does not wait for them.
   */
  async refreshStatistics(): Promise<void> {
    await this.dataSource.query(`ANALYZE notices`);
  }
}

/** Runs an INSERT in `m`'s transaction and returns how many rows it wrote. */
async function inserted(m: EntityManager, sql: string, params: unknown[]): Promise<number> {
  if (!m.queryRunner) throw new Error('inserted() needs a transaction manager');
  const result = await m.queryRunner.query(sql, params, true);
  return result.affected ?? 0;
}
