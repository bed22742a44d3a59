// The case from the news, step by step (SPEC §7): all exports halted but to the US, scope clarified,
// a licence granted with conditions for some regions, denied for others, then lifted.
import type { EventType } from '../domain/event.types';

const AUTHORITY = 'U.S. Department of Commerce, Bureau of Industry and Security';

/** An event as a publisher puts it on the queue. */
export interface DemoEvent extends Record<string, unknown> {
  eventId: string;
  caseId: string;
  type: EventType;
  title: string;
}

export function demoCase(runId: string, start = new Date('2026-11-26T09:00:00Z')): DemoEvent[] {
  const caseId = `demo-export-halt-${runId}`;
  const at = (hours: number) => new Date(start.getTime() + hours * 3_600_000).toISOString();
  const base = { caseId, authority: AUTHORITY, dispatch: 'auto', conditions: [] as string[] };
  return [
    {
      ...base,
      eventId: `${caseId}-1-issued`,
      type: 'suspension.issued' as const,
      occurredAt: at(0),
      effectiveAt: at(3),
      title: 'Exports of AI models halted pending national security review',
      summary:
        'The Bureau of Industry and Security has ordered an immediate halt of exports of our AI products to every destination outside the United States, pending a national security review.\nHosted API access, software, model weights and technical data are covered until the scope is clarified.',
      scope: {
        products: ['*'],
        regions: ['*'],
        excludeRegions: ['US'],
        excludeProducts: [],
        tiers: ['developer', 'enterprise'],
      },
    },
    {
      ...base,
      eventId: `${caseId}-2-clarified`,
      type: 'suspension.updated' as const,
      occurredAt: at(26),
      title: 'Scope clarified: model weights and hosted API only',
      summary:
        'The authority clarified the order: it covers hosted API access and model weights. Software and technical data may be exported again.',
      scope: {
        products: ['category:hosted-api', 'category:model-weights'],
        regions: ['*'],
        excludeRegions: ['US'],
        excludeProducts: [],
        tiers: ['developer', 'enterprise'],
      },
    },
    {
      ...base,
      eventId: `${caseId}-3-licence-granted`,
      type: 'license.granted' as const,
      occurredAt: at(72),
      title: 'Licence granted for the EU, the EEA and Japan, with conditions',
      summary:
        'A licence restores hosted API access for destinations in the European Economic Area and Japan, under conditions.',
      conditions: [
        'No use for military end uses or by military end users.',
        'Access logs must be retained for 24 months and produced on request.',
        'No re-export of model outputs to embargoed destinations.',
      ],
      scope: {
        products: ['category:hosted-api'],
        regions: ['group:EEA', 'JP'],
        excludeRegions: [],
        excludeProducts: [],
        tiers: ['developer', 'enterprise'],
      },
    },
    {
      ...base,
      eventId: `${caseId}-4-licence-denied`,
      type: 'license.denied' as const,
      occurredAt: at(96),
      title: 'Licence denied for model weights to Asia and the Americas',
      summary:
        'The licence application for model weights to destinations in Asia and the Americas was denied. Those suspensions remain in force.',
      scope: {
        products: ['category:model-weights'],
        regions: ['group:ASIA', 'group:AMERICAS'],
        excludeRegions: ['US'],
        excludeProducts: [],
        tiers: ['developer', 'enterprise'],
      },
    },
    {
      ...base,
      eventId: `${caseId}-5-lifted`,
      type: 'suspension.lifted' as const,
      occurredAt: at(240),
      title: 'Suspension lifted: access restored everywhere',
      summary:
        'The review is complete and the suspension has been lifted. Access to every product is restored in every destination.',
    },
  ];
}
