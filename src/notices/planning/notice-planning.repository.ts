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
   *
   * With `firstNotices`, only the digests and the first `firstNotices` contact notices in send order are written
   * here; the rest stay in the event's plan table, and `planning` says so: the caller commits, so that sending can
   * start, and has `writePlannedRest` write them in a transaction of their own (at 1M customers writing the
   * contacts' notices was 3.6 s of 6.9 s, at 10M 43 s). The event must then be marked `planning` in this
   * transaction, so that nothing completes it and whoever applies its case next finishes the plan first.
   */
  async insertNoticesForEvent(
    m: EntityManager,
    eventPk: string,
    { firstNotices = Infinity }: { firstNotices?: number } = {},
  ): Promise<{ notices: number; customers: number; webhooks: number; planning: boolean }> {
    // Fresh statistics first: planned for no rows, the join below ran as 300k index lookups instead of hash joins.
    // They also plan the first affected-list pages for the real size.
    await m.query(`ANALYZE event_customers`);
    // Who is told first (SPEC §4) is the order of the notice ids, which is the order senders claim in: the account
    // managers' digests, then enterprise customers' contacts, then developers'; within a tier, customers with more
    // suspended subscriptions first. Decided here once, it holds across workers and under any rate limit.
    const { plan, total } = await this.planContactNotices(m, eventPk);
    // One digest per account manager of a customer planned above: read from the plan, which has every told customer
    // with a contact to tell, rather than found again through contacts (at 10M customers, 512k index lookups into
    // contacts that took 39.7 s once the registry was no longer all in the page cache).
    const digests = await inserted(
      m,
      `INSERT INTO notices (event_pk, kind, email, name, locale)
       SELECT $1, 'am-digest', am_email, max(coalesce(am_name, '')), 'en'
         FROM ${plan}
        WHERE am_email IS NOT NULL
        GROUP BY am_email
        ORDER BY am_email`,
      [eventPk],
    );
    const contacts = await this.insertFirstContactNotices(m, plan, total, firstNotices);
    const planning = contacts.rest > 0;
    if (!planning) await m.query(`DROP TABLE ${plan}`);
    const webhooks = await this.insertWebhookDeliveries(m, eventPk);
    // The event is new, so its notices are the rows just inserted (counting them again took a second at 1M).
    const [{ customers }] = await m.query(
      `SELECT count(*)::int AS customers FROM event_customers WHERE event_pk = $1`,
      [eventPk],
    );
    return { notices: contacts.written + digests, customers, webhooks, planning };
  }

  /**
   * Writes the contact notices an earlier `insertNoticesForEvent(…, { firstNotices })` left in the event's plan, in
   * send order after the ones it wrote, and drops the plan; returns how many it wrote. `cancelled` writes them
   * cancelled (the event was cancelled in between; the caller covers a cancel while they are written). The
   * caller holds the case's apply lock, so that no later event of the case applies before them.
   *
   * The plan is an unlogged table: PostgreSQL empties those after a crash. An empty or missing plan is made again
   * from the event's affected customers (committed with the first notices) and the registry as it is now, and
   * written without the notices that already exist, in the same order. What the registry changed in between counts
   * then: a contact added since is told (after the first notices, even if its customer comes before them), a
   * contact whose address changed is told again at the new one, an account manager new to the event gets no digest.
   */
  async writePlannedRest(m: EntityManager, eventPk: string, { cancelled }: { cancelled: boolean }): Promise<number> {
    const plan = planTable(eventPk);
    const [{ exists }] = await m.query(`SELECT to_regclass($1) IS NOT NULL AS exists`, [plan]);
    const status = cancelled ? 'cancelled' : 'pending';
    let written: number;
    if (exists && (await m.query(`SELECT EXISTS (SELECT 1 FROM ${plan}) AS any`))[0].any) {
      written = await this.insertPlanned(m, plan, status, '');
    } else {
      await this.planContactNotices(m, eventPk);
      written = await this.insertPlanned(
        m,
        plan,
        status,
        `ON CONFLICT (event_pk, customer_id, email) WHERE customer_id IS NOT NULL AND NOT is_test DO NOTHING`,
      );
    }
    await m.query(`DROP TABLE ${plan}`);
    return written;
  }

  /**
   * The contacts' notices in send order, with their customers' account managers, as the event's plan table
   * (returned). `INSERT … SELECT` never runs its SELECT in parallel, and at 1M customers the joins and the
   * send-order sort were 4.5 of 7.7 s of the insert on one core. A `CREATE TABLE … AS` may use parallel workers
   * (they see this transaction's event_customers rows), so the rows are produced and numbered here (1.6–1.9 s).
   * The window that computes `send_order` is also what sorts the rows as they are written, and a plain `ORDER BY`
   * in its place measured slower (2.39–3.17 s against 1.86–2.02 s at 1M). Unlogged, like a temporary table it
   * writes no WAL; unlike one, it outlives the transaction, for `writePlannedRest` in another.
   */
  private async planContactNotices(m: EntityManager, eventPk: string): Promise<{ plan: string; total: number }> {
    const plan = planTable(eventPk);
    await m.query(`DROP TABLE IF EXISTS ${plan}`);
    // Its joins and sort in memory as long as they can be: at 10M customers they spill to disk with 64 MB.
    const total = await withSetting(m, 'work_mem', '256MB', () =>
      inserted(
        m,
        `CREATE UNLOGGED TABLE ${plan} WITH (autovacuum_enabled = off) AS
       SELECT row_number() OVER (ORDER BY c.tier = 'enterprise' DESC, jsonb_array_length(ec.affected) DESC,
                                          jsonb_array_length(ec.removed) DESC, c.id, ct.id) AS send_order,
              ec.event_pk, ec.kind, c.id AS customer_id, c.tier, ct.email, ct.name, ct.locale, c.am_email, c.am_name
         FROM event_customers ec
         JOIN customers c ON c.id = ec.customer_id AND c.active
         JOIN contacts ct ON ct.customer_id = c.id AND ct.notices
        WHERE ec.event_pk = $1`,
        [eventPk],
      ),
    );
    return { plan, total };
  }

  /**
   * Writes the plan's first `first` contact notices (all of them when it holds no more) and takes them out of the
   * plan, which keeps the rest in send order; returns how many it wrote and how many are left.
   */
  private async insertFirstContactNotices(
    m: EntityManager,
    plan: string,
    total: number,
    first: number,
  ): Promise<{ written: number; rest: number }> {
    if (total <= first) return { written: await this.insertPlanned(m, plan, 'pending', ''), rest: 0 };
    const written = await inserted(
      m,
      `WITH first AS (DELETE FROM ${plan} WHERE send_order <= $1 RETURNING *)
       INSERT INTO notices (event_pk, kind, customer_id, tier, email, name, locale)
       SELECT event_pk, kind, customer_id, tier, email, name, locale FROM first ORDER BY send_order`,
      [first],
    );
    return { written, rest: total - written };
  }

  /** Writes every notice of the plan, in send order, as `status`. */
  private async insertPlanned(m: EntityManager, plan: string, status: string, onConflict: string): Promise<number> {
    // Written by one `CREATE TABLE … AS` in its window's order, the plan holds the rows in send order, and with
    // synchronized scans off a sequential scan starts at its first page (an `INSERT … SELECT` never reads in
    // parallel): read whole, it gives the rows in that order, and the sequence numbers them so. Sorting them again
    // by send_order cost 0.15–0.3 s at 1M (in memory, on input already in order) and, once the rows no longer fit
    // in memory, an external merge of all of them (6M at 10M customers).
    // test/integration/send-order.test.ts checks the ids against the rule, serial and parallel, whole and split.
    return withSetting(m, 'synchronize_seqscans', 'off', () =>
      inserted(
        m,
        `INSERT INTO notices (event_pk, kind, customer_id, tier, email, name, locale, status)
         SELECT event_pk, kind, customer_id, tier, email, name, locale, $1 FROM ${plan} ${onConflict}`,
        [status],
      ),
    );
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

/** The event's plan table (event keys are bigints, so the name is safe SQL). */
function planTable(eventPk: string): string {
  if (!/^\d+$/.test(eventPk)) throw new Error(`not an event key: ${eventPk}`);
  return `notice_plan_${eventPk}`;
}

/** Runs `work` with a setting changed for `m`'s transaction, then puts back the value it had. */
async function withSetting<T>(m: EntityManager, name: string, value: string, work: () => Promise<T>): Promise<T> {
  const [{ was }] = await m.query(`SELECT current_setting($1) AS was`, [name]);
  await m.query(`SELECT set_config($1, $2, true)`, [name, value]);
  // Not in a finally: after an error the transaction is aborted (and the setting ends with it), and restoring it
  // would only replace the error with "current transaction is aborted".
  const result = await work();
  await m.query(`SELECT set_config($1, $2, true)`, [name, was]);
  return result;
}

/** Runs an INSERT in `m`'s transaction and returns how many rows it wrote. */
async function inserted(m: EntityManager, sql: string, params: unknown[]): Promise<number> {
  if (!m.queryRunner) throw new Error('inserted() needs a transaction manager');
  const result = await m.queryRunner.query(sql, params, true);
  return result.affected ?? 0;
}
