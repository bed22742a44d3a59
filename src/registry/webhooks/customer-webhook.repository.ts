// SQL of customers' webhook endpoints (customer_webhooks) and the reads of their latest deliveries.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { CustomerNoticeKind, WebhookDeliveryStatus } from '../../domain/notice.types';

export interface WebhookEndpointRow {
  url: string;
  created_at: Date;
  updated_at: Date;
}

export interface WebhookDeliveryRow {
  event_id: string;
  kind: CustomerNoticeKind;
  status: WebhookDeliveryStatus;
  attempts: number;
  last_code: number | null;
  last_reply: string | null;
  updated_at: Date;
  sent_at: Date | null;
}

@Injectable()
export class CustomerWebhookRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Sets the customer's endpoint with a new secret; answers whether one was replaced. */
  async put(m: EntityManager, customerId: string, url: string, secret: string): Promise<{ replaced: boolean }> {
    const rows: { replaced: boolean }[] = await m.query(
      `INSERT INTO customer_webhooks AS w (customer_id, url, secret) VALUES ($1, $2, $3)
       ON CONFLICT (customer_id) DO UPDATE SET url = excluded.url, secret = excluded.secret, updated_at = now()
       RETURNING (w.xmax::text <> '0') AS replaced`,
      [customerId, url, secret],
    );
    return rows[0];
  }

  /** The endpoint without its secret, which is shown once, when it is set. */
  async find(customerId: string): Promise<WebhookEndpointRow | null> {
    const rows = await this.dataSource.query(
      `SELECT url, created_at, updated_at FROM customer_webhooks WHERE customer_id = $1`,
      [customerId],
    );
    return rows[0] ?? null;
  }

  /** Removes the endpoint; answers the URL it had, or null when there was none. */
  async remove(m: EntityManager, customerId: string): Promise<string | null> {
    const rows: { url: string }[] = await m.query(
      `WITH d AS (DELETE FROM customer_webhooks WHERE customer_id = $1 RETURNING url) SELECT url FROM d`,
      [customerId],
    );
    return rows[0]?.url ?? null;
  }

  /** The customer's latest webhook deliveries, newest first. */
  async latestDeliveries(customerId: string, limit: number): Promise<WebhookDeliveryRow[]> {
    return this.dataSource.query(
      `SELECT e.event_id, d.kind, d.status, d.attempts, d.last_code, d.last_reply, d.updated_at, d.sent_at
         FROM webhook_deliveries d JOIN events e ON e.id = d.event_pk
        WHERE d.customer_id = $1 ORDER BY d.id DESC LIMIT $2`,
      [customerId, limit],
    );
  }
}
