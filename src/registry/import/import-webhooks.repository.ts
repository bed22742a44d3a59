// The webhook endpoints a JSON Lines import sets (SPEC §4), written in the import's apply transaction.
import { Injectable } from '@nestjs/common';
import { generateWebhookSecret } from '../../domain/webhook-secret';
import type { ImportSession } from './registry-import.repository';

@Injectable()
export class ImportWebhooksRepository {
  /**
   * Sets the endpoint of every staged customer whose line carries a webhook URL, once the customers are written.
   * A URL the customer already has keeps its secret (re-importing a registry changes nothing a receiver checks);
   * a new or different URL gets a new secret, which only a PUT of the webhook route shows. Customers whose line has
   * no webhook keep theirs. Returns how many endpoints were set.
   */
  async apply(s: ImportSession): Promise<number> {
    const changed = await s.client.query<{ id: string; url: string }>(
      `SELECT DISTINCT ON (c.id) c.id, st.w_url AS url
         FROM import_customers st
         JOIN customers c ON c.ref = st.ref
         LEFT JOIN customer_webhooks w ON w.customer_id = c.id
        WHERE st.w_url IS NOT NULL AND w.url IS DISTINCT FROM st.w_url
        ORDER BY c.id, st.line`,
    );
    if (!changed.rows.length) return 0;
    await s.client.query(
      `INSERT INTO customer_webhooks (customer_id, url, secret)
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[])
       ON CONFLICT (customer_id) DO UPDATE SET url = excluded.url, secret = excluded.secret, updated_at = now()`,
      [changed.rows.map((r) => r.id), changed.rows.map((r) => r.url), changed.rows.map(() => generateWebhookSecret())],
    );
    return changed.rows.length;
  }
}
