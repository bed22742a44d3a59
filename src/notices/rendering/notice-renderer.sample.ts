// A complete, realistic notice input for every kind × tier: the renderer's warm-up at start, previews and tests use it.
import type { Tier } from '../../domain/registry.types';
import type { CustomerNoticeKind, NoticeKind, NoticeRenderInput, RenderEvent } from '../../domain/notice.types';

const EVENT_TYPE: Record<NoticeKind, RenderEvent['type']> = {
  suspended: 'suspension.issued',
  updated: 'suspension.updated',
  restored: 'suspension.lifted',
  'license-granted': 'license.granted',
  'license-denied': 'license.denied',
  'am-digest': 'suspension.issued',
};

export const SAMPLE_PRODUCTS: NoticeRenderInput['products'] = {
  'claude-api': { name: 'Claude API', category: 'hosted-api' },
  'claude-weights': { name: 'Claude model weights', category: 'model-weights' },
  'claude-code': { name: 'Claude Code', category: 'software' },
  'eval-suite': { name: 'Evaluation datasets', category: 'technical-data' },
};

/** A sample input for `kind` × `tier` (tier null for the digest) in `locale`. */
export function sampleRenderInput(kind: NoticeKind, tier: Tier | null, locale = 'en'): NoticeRenderInput {
  const accountManager = { email: 'jane.doe@vendor.example', name: 'Jane Doe' };
  const customer =
    kind === 'am-digest'
      ? null
      : {
          ref: 'ACME-001',
          name: 'Acme GmbH',
          tier: tier ?? 'developer',
          country: 'DE',
          accountManager: tier === 'enterprise' ? accountManager : null,
        };
  const digestKind: CustomerNoticeKind = 'suspended';
  return {
    noticeId: `sample-${kind}-${tier ?? 'digest'}`,
    kind,
    tier: kind === 'am-digest' ? null : tier,
    locale,
    isTest: false,
    recipient: kind === 'am-digest' ? accountManager : { email: 'ops@acme.example', name: 'Acme Operations' },
    customer,
    event: {
      eventId: 'bis-2026-11-26-001',
      caseId: 'export-halt-2026-11',
      type: EVENT_TYPE[kind],
      title: 'Exports of AI models halted pending national security review',
      summary: 'All exports of AI models are halted while the review takes place.\n\nHosted access is included.',
      authority: 'U.S. Department of Commerce, Bureau of Industry and Security',
      occurredAt: '2026-11-26T09:00:00Z',
      effectiveAt: '2026-11-26T12:00:00Z',
      conditions: kind === 'license-granted' ? ['No access for military end users.', 'Quarterly usage reports.'] : [],
    },
    affected: [
      { product: 'claude-api', country: 'DE' },
      { product: 'claude-api', country: 'FR' },
      { product: 'claude-weights', country: 'SG' },
    ],
    added: kind === 'updated' ? [{ product: 'claude-code', country: 'DE' }] : [],
    removed:
      kind === 'updated' || kind === 'license-granted' || kind === 'restored'
        ? [{ product: 'eval-suite', country: 'JP' }]
        : [],
    products: SAMPLE_PRODUCTS,
    digest:
      kind === 'am-digest'
        ? [
            {
              ref: 'ACME-001',
              name: 'Acme GmbH',
              tier: 'enterprise',
              country: 'DE',
              accountManager,
              kind: digestKind,
              affected: [{ product: 'claude-api', country: 'DE' }],
            },
            {
              ref: 'INIT-042',
              name: 'Initech KK',
              tier: 'enterprise',
              country: 'JP',
              accountManager,
              kind: 'license-denied',
              affected: [{ product: 'claude-weights', country: 'JP' }],
            },
          ]
        : null,
    statusUrl: 'https://notices.vendor.example/status/export-halt-2026-11',
  };
}
