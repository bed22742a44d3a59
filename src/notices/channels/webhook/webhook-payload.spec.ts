import { CUSTOMER_NOTICE_KINDS } from '../../../domain/notice.types';
import { buildWebhookPayload, type WebhookPayloadInput } from './webhook-payload';

function input(patch: Partial<WebhookPayloadInput> = {}): WebhookPayloadInput {
  return {
    kind: 'updated',
    caseId: 'export-halt-2026-11',
    eventId: 'bis-2026-11-27-002',
    occurredAt: '2026-11-27T10:15:00Z',
    customerRef: 'ACME-001',
    suspended: [
      { product: 'claude-code', country: 'DE' },
      { product: 'claude-api', country: 'FR' },
      { product: 'claude-api', country: 'DE' },
    ],
    added: [{ product: 'claude-code', country: 'DE' }],
    removed: [{ product: 'eval-suite', country: 'JP' }],
    statusUrl: 'https://notices.vendor.example/status/export-halt-2026-11/c/MTI.abc',
    ...patch,
  };
}

describe('buildWebhookPayload', () => {
  it('builds the SPEC shape with sorted subscriptions and an ISO time', () => {
    expect(buildWebhookPayload(input())).toEqual({
      type: 'notice.updated',
      caseId: 'export-halt-2026-11',
      eventId: 'bis-2026-11-27-002',
      occurredAt: '2026-11-27T10:15:00.000Z',
      customer: { ref: 'ACME-001' },
      suspended: [
        { product: 'claude-api', country: 'DE' },
        { product: 'claude-api', country: 'FR' },
        { product: 'claude-code', country: 'DE' },
      ],
      added: [{ product: 'claude-code', country: 'DE' }],
      removed: [{ product: 'eval-suite', country: 'JP' }],
      conditions: [],
      statusUrl: 'https://notices.vendor.example/status/export-halt-2026-11/c/MTI.abc',
    });
  });

  it.each(CUSTOMER_NOTICE_KINDS)('names kind %s as notice.<kind>', (kind) => {
    expect(buildWebhookPayload(input({ kind })).type).toBe(`notice.${kind}`);
  });

  it('carries a licence’s conditions', () => {
    const conditions = ['No access for military end users.', 'Quarterly usage reports.'];
    expect(buildWebhookPayload(input({ kind: 'license-granted', conditions })).conditions).toEqual(conditions);
  });

  it('accepts a Date and converts other offsets to UTC', () => {
    expect(buildWebhookPayload(input({ occurredAt: new Date(Date.UTC(2026, 10, 26, 9)) })).occurredAt).toBe(
      '2026-11-26T09:00:00.000Z',
    );
    expect(buildWebhookPayload(input({ occurredAt: '2026-11-26T10:00:00+01:00' })).occurredAt).toBe(
      '2026-11-26T09:00:00.000Z',
    );
  });

  it('refuses a time that cannot be read', () => {
    expect(() => buildWebhookPayload(input({ occurredAt: 'yesterday-ish' }))).toThrow(RangeError);
  });

  it('keeps only product and country from the inputs and does not share their arrays', () => {
    const added = [{ product: 'claude-code', country: 'DE', customerId: '17', name: 'internal' }];
    const conditions = ['Quarterly usage reports.'];
    const payload = buildWebhookPayload(input({ added, conditions }));
    expect(payload.added).toEqual([{ product: 'claude-code', country: 'DE' }]);
    added.push({ product: 'x', country: 'US', customerId: '18', name: 'other' });
    conditions.push('later');
    expect(payload.added).toHaveLength(1);
    expect(payload.conditions).toEqual(['Quarterly usage reports.']);
  });

  it('serialises the same delivery to the same body whatever the input order', () => {
    const a = buildWebhookPayload(input());
    const b = buildWebhookPayload(input({ suspended: [...input().suspended].reverse() }));
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });
});
