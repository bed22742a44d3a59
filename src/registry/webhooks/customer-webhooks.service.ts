// A customer's webhook endpoint (SPEC §4): set with a new secret (shown once), read with its latest deliveries, removed.
import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { AuditService } from '../../audit/audit.service';
import { TransactionService } from '../../common/transaction.service';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import type { Principal } from '../../domain/roles';
import { generateWebhookSecret } from '../../domain/webhook-secret';
import { validateWebhookUrl } from '../../domain/webhook-url';
import { CustomersRepository, type CustomerRow } from '../customers.repository';
import { CustomerWebhookRepository, type WebhookDeliveryRow } from './customer-webhook.repository';

/** How many of the latest deliveries GET shows. */
export const LATEST_DELIVERIES = 20;

export interface WebhookDeliveryView {
  eventId: string;
  kind: string;
  status: string;
  attempts: number;
  lastCode: number | null;
  lastReply: string | null;
  updatedAt: string;
  sentAt: string | null;
}

export interface WebhookView {
  url: string;
  createdAt: string;
  updatedAt: string;
  deliveries: WebhookDeliveryView[];
}

@Injectable()
export class CustomerWebhooksService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tx: TransactionService,
    private readonly customers: CustomersRepository,
    private readonly webhooks: CustomerWebhookRepository,
    private readonly audit: AuditService,
  ) {}

  /** Sets (or replaces) the endpoint; a new secret every time, so a PUT of the same URL rotates it. */
  async set(actor: Principal, ref: string, url: string): Promise<{ url: string; secret: string }> {
    const customer = await this.customer(actor, ref);
    const check = validateWebhookUrl(url, { allowPrivate: this.config.WEBHOOK_ALLOW_PRIVATE });
    if (!check.ok) {
      throw new BadRequestException({
        message: `url: ${check.error}`,
        details: [{ field: 'url', message: check.error }],
      });
    }
    const secret = generateWebhookSecret();
    await this.tx.run(async (m) => {
      const { replaced } = await this.webhooks.put(m, customer.id, check.url, secret);
      // Never the secret: the audit log is read by more people than the one who set the endpoint.
      await this.audit.record(
        actor,
        'customer.webhook.set',
        `customer:${customer.ref}`,
        { url: check.url, replaced },
        m,
      );
    });
    return { url: check.url, secret };
  }

  /** The endpoint and its latest deliveries; 404 for a customer the caller may not see or without an endpoint. */
  async get(viewer: Principal, ref: string): Promise<WebhookView> {
    const view = await this.ofCustomer(viewer, ref);
    if (!view) throw new NotFoundException(`customer ${ref} has no webhook endpoint`);
    return view;
  }

  /** The same, or null when the customer has no endpoint (the customer page shows that); 404 as `get`. */
  async ofCustomer(viewer: Principal, ref: string): Promise<WebhookView | null> {
    const customer = await this.customer(viewer, ref);
    const endpoint = await this.webhooks.find(customer.id);
    if (!endpoint) return null;
    const deliveries = await this.webhooks.latestDeliveries(customer.id, LATEST_DELIVERIES);
    return {
      url: endpoint.url,
      createdAt: iso(endpoint.created_at),
      updatedAt: iso(endpoint.updated_at),
      deliveries: deliveries.map(toDeliveryView),
    };
  }

  /** Removes the endpoint; deliveries not sent yet end `cancelled` when their turn comes. */
  async remove(actor: Principal, ref: string): Promise<void> {
    const customer = await this.customer(actor, ref);
    await this.tx.run(async (m) => {
      const url = await this.webhooks.remove(m, customer.id);
      if (url === null) throw new NotFoundException(`customer ${ref} has no webhook endpoint`);
      await this.audit.record(actor, 'customer.webhook.delete', `customer:${customer.ref}`, { url }, m);
    });
  }

  private async customer(principal: Principal, ref: string): Promise<CustomerRow> {
    const row = await this.customers.findVisible(principal, ref);
    if (!row) throw new NotFoundException(`no customer ${ref}`);
    return row;
  }
}

function toDeliveryView(d: WebhookDeliveryRow): WebhookDeliveryView {
  return {
    eventId: d.event_id,
    kind: d.kind,
    status: d.status,
    attempts: d.attempts,
    lastCode: d.last_code,
    lastReply: d.last_reply,
    updatedAt: iso(d.updated_at),
    sentAt: d.sent_at ? iso(d.sent_at) : null,
  };
}

const iso = (d: Date | string) => new Date(d).toISOString();
