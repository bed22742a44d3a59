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
   * here, and `planning` says whether more may follow: the caller commits, so that sending can start, and has
   * `writePlannedRest` write the rest in a transaction of its own (at 1M customers writing the contacts' notices was
   * 3.6 s of 6.9 s, at 10M 43 s). The event must then be marked `planning` in this transaction, so that nothing
   * completes it and whoever applies its case next finishes the plan first.
   */
  async insertNoticesForEvent(
    m: EntityManager,
    eventPk: string,
    { firstNotices = Infinity }: { firstNotices?: number } = {},
  ): Promise<{ notices: number; customers: number; webhooks: number; planning: boolean }> {
    // Fresh statistics first: planned for no rows, the join below ran as 300k index lookups instead of hash joins.
    // Before the first notices, only of the columns the joins use (0.11–0.17 s at 1M against 0.64–0.75 s for every
    // column, the subscription lists' jsonb too); the whole table's follow in the background once the rest is
    // written (AffectedRepository.vacuum). Written at once, every column's now.
    await m.query(`ANALYZE event_customers${firstNotices === Infinity ? '' : ' (event_pk, customer_id)'}`);
    // Who is told first (SPEC §4) is the order of the notice ids, which is the order senders claim in: the account
    // managers' digests, then enterprise customers' contacts, then developers'; within a tier, customers with more
    // suspended subscriptions first (SEND_ORDER). Decided here once, it holds across workers and under any rate limit.
    let digests: number;
    let contacts: { written: number; planning: boolean };
    if (firstNotices === Infinity) {
      const plan = await this.planContactNotices(m, eventPk, 'all');
      // One digest per account manager of a customer planned above: read from the plan, which has every told
      // customer with a contact to tell, rather than found again through contacts (at 10M customers, 512k index
      // lookups into contacts that took 39.7 s once the registry was no longer all in the page cache).
      digests = await inserted(
        m,
        `INSERT INTO notices (event_pk, kind, email, name, locale)
         SELECT $1, 'am-digest', am_email, max(coalesce(am_name, '')), 'en'
           FROM ${plan}
          WHERE am_email IS NOT NULL
          GROUP BY am_email
          ORDER BY am_email`,
        [eventPk],
      );
      contacts = { written: await this.insertPlanned(m, plan, 'pending'), planning: false };
      await m.query(`DROP TABLE ${plan}`);
    } else {
      // Without the whole plan, which is for the rest's transaction to make: at 1M customers the digests and the
      // first notices found directly took 2.6 s against 4.7 s for the plan, its digests and its first rows.
      digests = await this.insertDigests(m, eventPk);
      contacts = await this.insertFirstContactNotices(m, eventPk, firstNotices);
      // Nothing written yet: whether the rest has anyone decides whether the event has anything to send.
      if (contacts.planning && !digests && !contacts.written)
        contacts.planning = await this.anyContactToTell(m, eventPk);
    }
    const webhooks = await this.insertWebhookDeliveries(m, eventPk);
    // The event is new, so its notices are the rows just inserted (counting them again took a second at 1M).
    const [{ customers }] = await m.query(
      `SELECT count(*)::int AS customers FROM event_customers WHERE event_pk = $1`,
      [eventPk],
    );
    return { notices: contacts.written + digests, customers, webhooks, planning: contacts.planning };
  }

  /**
   * Writes the contact notices an earlier `insertNoticesForEvent(…, { firstNotices })` left to write: every contact
   * to tell of the event's affected customers (committed with the first notices) that has no notice of the event
   * yet, in send order after the ones written, and returns how many. `cancelled` writes them cancelled (the event
   * was cancelled in between; the caller covers a cancel while they are written). The caller holds the case's apply
   * lock, so that no later event of the case applies before them.
   *
   * The registry is read as it is now: what changed since the first notices counts (a contact added since is told,
   * after the first notices even if its customer comes before them; a contact whose address changed is told at the
   * new one, and again if its old address was among the first). The digests were all written with the first
   * notices: an account manager new to the event in between gets none.
   */
  async writePlannedRest(m: EntityManager, eventPk: string, { cancelled }: { cancelled: boolean }): Promise<number> {
    const plan = await this.planContactNotices(m, eventPk, 'unwritten');
    const written = await this.insertPlanned(m, plan, cancelled ? 'cancelled' : 'pending');
    await m.query(`DROP TABLE ${plan}`);
    return written;
  }

  /**
   * The contacts' notices in send order, with their customers' account managers, as the event's plan table
   * (returned): all of them, or those not written yet. `INSERT … SELECT` never runs its SELECT in parallel, and at
   * 1M customers the joins and the send-order sort were 4.5 of 7.7 s of the insert on one core. A `CREATE TABLE …
   * AS` may use parallel workers (they see this transaction's event_customers rows), so the rows are produced and
   * numbered here (1.6–1.9 s). The window that computes `send_order` is also what sorts the rows as they are written,
   * and a plain `ORDER BY` in its place measured slower (2.39–3.17 s against 1.86–2.02 s at 1M). Unlogged, it
   * writes no WAL; the caller drops it before commit, and a rollback drops it too. (It is not temporary because it
   * once outlived the transaction; a temporary one was not measured.)
   */
  private async planContactNotices(m: EntityManager, eventPk: string, which: 'all' | 'unwritten'): Promise<string> {
    const plan = planTable(eventPk);
    await m.query(`DROP TABLE IF EXISTS ${plan}`);
    // Matches the contact key (a partial unique index): a probe per contact, or an anti-join of the first notices.
    const unwritten = `AND NOT EXISTS (SELECT 1 FROM notices n WHERE n.event_pk = ec.event_pk AND n.customer_id = c.id
                                         AND n.email = ct.email AND NOT n.is_test)`;
    // Its joins and sort in memory as long as they can be: at 10M customers they spill to disk with 64 MB.
    await withSetting(m, 'work_mem', '256MB', () =>
      inserted(
        m,
        `CREATE UNLOGGED TABLE ${plan} WITH (autovacuum_enabled = off) AS
       SELECT row_number() OVER (ORDER BY ${SEND_ORDER}, ct.id) AS send_order,
              ec.event_pk, ec.kind, c.id AS customer_id, c.tier, ct.email, ct.name, ct.locale, c.am_email, c.am_name
         ${TOLD_CONTACTS}
        WHERE ec.event_pk = $1 ${which === 'unwritten' ? unwritten : ''}`,
        [eventPk],
      ),
    );
    return plan;
  }

  /**
   * One digest per account manager with a told customer that has a contact to tell, as the plan would give them,
   * found without it: the account managers of the told customers (a hash join), each kept when one of its customers
   * has such a contact (usually a few index lookups per account manager; one per customer only for an account
   * manager whose customers mostly have nobody to tell). The name is the greatest among all its told customers'
   * (the plan takes it among those with a contact to tell; it differs only where one manager's customers disagree
   * on it). Found by a SELECT, which PostgreSQL may run with parallel workers (an `INSERT … SELECT` never does), then
   * written.
   */
  private async insertDigests(m: EntityManager, eventPk: string): Promise<number> {
    const managers: { am_email: string; am_name: string }[] = await m.query(
      `SELECT a.am_email, a.am_name
         FROM (SELECT c.am_email, max(coalesce(c.am_name, '')) AS am_name
                 FROM event_customers ec JOIN customers c ON c.id = ec.customer_id AND c.active
                WHERE ec.event_pk = $1 AND c.am_email IS NOT NULL
                GROUP BY c.am_email) a
        WHERE EXISTS (SELECT 1 ${TOLD_CONTACTS} WHERE ec.event_pk = $1 AND c.am_email = a.am_email)
        ORDER BY a.am_email`,
      [eventPk],
    );
    if (!managers.length) return 0;
    return inserted(
      m,
      `INSERT INTO notices (event_pk, kind, email, name, locale)
       SELECT $1, 'am-digest', x.email, x.name, 'en'
         FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS x(email, name, i)
        ORDER BY x.i`,
      [eventPk, managers.map((a) => a.am_email), managers.map((a) => a.am_name)],
    );
  }

  /**
   * Writes the first `first` contact notices in send order, found without planning them all: the first `first`
   * customers in send order (a parallel top-N sort), then their contacts by index. Customers come whole in the
   * order, so these are the first rows of the whole plan, however many contacts each customer has (none too).
   * `planning`: more may follow (the rows were cut, or there may be more customers).
   */
  private async insertFirstContactNotices(
    m: EntityManager,
    eventPk: string,
    first: number,
  ): Promise<{ written: number; planning: boolean }> {
    // CREATE TABLE … AS, for its parallel workers; temporary, since it is read in this transaction only.
    const customers = await inserted(
      m,
      `CREATE TEMPORARY TABLE first_customers ON COMMIT DROP AS
       SELECT ec.event_pk, ec.kind, c.id, c.tier, c.tier = 'enterprise' AS enterprise,
              jsonb_array_length(ec.affected) AS affected, jsonb_array_length(ec.removed) AS removed
         FROM event_customers ec JOIN customers c ON c.id = ec.customer_id AND c.active
        WHERE ec.event_pk = $1
        ORDER BY ${SEND_ORDER}
        LIMIT $2`,
      [eventPk, first],
    );
    // Their contacts by index, customer after customer in send order (a hash join read all of contacts, 0.45 s at
    // 1M; OFFSET 0 keeps the subquery from being flattened into a join the planner may hash), until one row more
    // than is written: that row says whether the first customers have more contacts.
    const order = `enterprise DESC, affected DESC, removed DESC, id`;
    const [{ written, found }] = await m.query(
      `WITH r AS (
         SELECT t.event_pk, t.kind, t.id, t.tier, t.enterprise, t.affected, t.removed,
                ct.id AS contact_id, ct.email, ct.name, ct.locale
           FROM (SELECT * FROM first_customers ORDER BY ${order}) t,
                LATERAL (SELECT id, email, name, locale FROM contacts ct WHERE ct.customer_id = t.id AND ct.notices
                         OFFSET 0) ct
          ORDER BY ${order}, contact_id
          LIMIT $1 + 1),
       ins AS (
         INSERT INTO notices (event_pk, kind, customer_id, tier, email, name, locale)
         SELECT event_pk, kind, id, tier, email, name, locale FROM r ORDER BY ${order}, contact_id LIMIT $1
         RETURNING 1)
       SELECT (SELECT count(*) FROM ins)::int AS written, (SELECT count(*) FROM r)::int AS found`,
      [first],
    );
    await m.query(`DROP TABLE first_customers`);
    return { written, planning: found > written || customers === first };
  }

  /** Whether the event has a contact to tell (the plan would not be empty). */
  private async anyContactToTell(m: EntityManager, eventPk: string): Promise<boolean> {
    const [{ any }] = await m.query(`SELECT EXISTS (SELECT 1 ${TOLD_CONTACTS} WHERE ec.event_pk = $1) AS any`, [
      eventPk,
    ]);
    return any;
  }

  /** Writes every notice of the plan, in send order, as `status`. */
  private async insertPlanned(m: EntityManager, plan: string, status: string): Promise<number> {
    // Written by one `CREATE TABLE … AS` in its window's order, the plan holds the rows in send order, and with
    // synchronized scans off a sequential scan starts at its first page (an `INSERT … SELECT` never reads in
    // parallel): read whole, it gives the rows in that order, and the sequence numbers them so. Sorting them again
    // by send_order cost 0.15–0.3 s at 1M (in memory, on input already in order) and, once the rows no longer fit
    // in memory, an external merge of all of them (6M at 10M customers).
    // test/integration/send-order.test.ts checks the ids against the rule: whole, serial and parallel, and split.
    return withSetting(m, 'synchronize_seqscans', 'off', () =>
      inserted(
        m,
        `INSERT INTO notices (event_pk, kind, customer_id, tier, email, name, locale, status)
         SELECT event_pk, kind, customer_id, tier, email, name, locale, $1 FROM ${plan}`,
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
        ORDER BY ${SEND_ORDER}`,
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

/**
 * The order customers are told in within an event (SPEC §4), over `event_customers ec` and `customers c`: enterprise
 * first, then more suspended subscriptions, then more restored, then the customer's id; a customer's contacts follow
 * by contact id.
 */
const SEND_ORDER = `c.tier = 'enterprise' DESC, jsonb_array_length(ec.affected) DESC, jsonb_array_length(ec.removed) DESC, c.id`;

/** Every contact to tell of the affected customers, `ct` of `c` of `ec`: active customers, contacts with notices on. */
const TOLD_CONTACTS = `FROM event_customers ec
         JOIN customers c ON c.id = ec.customer_id AND c.active
         JOIN contacts ct ON ct.customer_id = c.id AND ct.notices`;

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
