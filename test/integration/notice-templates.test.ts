// Every shipped template renders, in every shipped language, with the facts SPEC §4 asks for.
import { join } from 'node:path';
import { NoticeRenderer } from '../../src/notices/rendering/notice-renderer.service';
import { CUSTOMER_NOTICE_KINDS, type NoticeKind, type NoticeRenderInput } from '../../src/domain/notice.types';
import { TIERS, type Tier } from '../../src/domain/registry.types';

const TEMPLATES = join(__dirname, '..', '..', 'templates');

// What each language must call the destination (DE) and the customer's country (SG) of the input below.
const EXPECTED: Record<string, { germany: string; singapore: string; effective: string; category: string }> = {
  en: { germany: 'Germany', singapore: 'Singapore', effective: 'November 26, 2026', category: 'Hosted API' },
  de: { germany: 'Deutschland', singapore: 'Singapur', effective: '26. November 2026', category: 'Gehostete API' },
  fr: { germany: 'Allemagne', singapore: 'Singapour', effective: '26 novembre 2026', category: 'API hébergée' },
  ja: { germany: 'ドイツ', singapore: 'シンガポール', effective: '2026年11月26日', category: 'ホスト型 API' },
};

function input(kind: NoticeKind, tier: Tier | null, locale: string): NoticeRenderInput {
  const manager = { email: 'mei.tanaka@vendor.example', name: 'Mei Tanaka' };
  const subs = [
    { product: 'orca-api', country: 'DE' },
    { product: 'orca-api', country: 'SG' },
  ];
  return {
    noticeId: `n-${kind}-${tier}-${locale}`,
    kind,
    tier,
    locale,
    isTest: false,
    recipient: { email: 'legal@northwind.example', name: 'Priya Raman' },
    customer:
      kind === 'am-digest'
        ? null
        : { ref: 'NW-7781', name: 'Northwind Traders Pte', tier: tier!, country: 'SG', accountManager: manager },
    event: {
      eventId: 'evt-2026-0042',
      caseId: 'case-sg-review',
      type: 'suspension.updated',
      title: 'Scope of the export halt clarified',
      summary: 'The halt now covers hosted access.\nModel weights are reviewed separately.',
      authority: 'Bureau of Industry and Security',
      occurredAt: '2026-11-26T09:00:00Z',
      effectiveAt: '2026-11-26T12:00:00Z',
      conditions: kind === 'license-granted' ? ['Only for civilian research use'] : [],
    },
    affected: subs,
    added: kind === 'updated' ? subs : [],
    removed: kind === 'restored' || kind === 'license-granted' || kind === 'updated' ? subs : [],
    products: { 'orca-api': { name: 'Orca Inference API', category: 'hosted-api' } },
    digest:
      kind === 'am-digest'
        ? [
            {
              ref: 'NW-7781',
              name: 'Northwind Traders Pte',
              tier: 'enterprise',
              country: 'SG',
              accountManager: manager,
              kind: 'suspended',
              affected: subs,
            },
          ]
        : null,
    statusUrl: 'https://notices.vendor.example/status/case-sg-review',
  };
}

const CASES: [NoticeKind, Tier | null][] = [
  ...CUSTOMER_NOTICE_KINDS.flatMap((kind) => TIERS.map((tier): [NoticeKind, Tier] => [kind, tier])),
  ['am-digest', null],
];

describe('shipped notice templates', () => {
  let renderer: NoticeRenderer;
  beforeAll(() => {
    renderer = NoticeRenderer.load(TEMPLATES);
  });

  it('loads en, de, fr and ja without problems', () => {
    expect(renderer.locales).toEqual(expect.arrayContaining(['en', 'de', 'fr', 'ja']));
    expect(renderer.problems).toEqual([]);
  });

  describe.each(Object.keys(EXPECTED))('%s', (locale) => {
    const want = EXPECTED[locale];

    it.each(CASES)('%s × %s renders subject, HTML and text with the notice facts', (kind, tier) => {
      const out = renderer.render(input(kind, tier, locale));
      expect(out.locale).toBe(locale);
      expect(out.subject.trim()).not.toBe('');
      expect(out.subject).not.toMatch(/[\r\n]/);
      expect(out.html).toContain(`<html lang="${locale}"`);

      for (const part of [out.html, out.text]) {
        expect(part).toContain('Northwind Traders Pte');
        expect(part).toContain(want.germany);
        expect(part).toContain(want.singapore);
        expect(part).toContain('Orca Inference API');
        expect(part).toContain('orca-api');
        expect(part).toContain('Scope of the export halt clarified');
        expect(part).toContain('Bureau of Industry and Security');
        expect(part).toContain(want.effective);
        expect(part).toContain('UTC');
        expect(part).toContain('https://notices.vendor.example/status/case-sg-review');
        if (kind !== 'am-digest') expect(part).toContain(want.category);
        if (kind === 'license-granted') expect(part).toContain('Only for civilian research use');
        if (tier === 'enterprise') {
          expect(part).toContain('Mei Tanaka');
          expect(part).toContain('mei.tanaka@vendor.example');
        }
        if (tier === 'developer') expect(part).not.toContain('Mei Tanaka');
      }
      // The summary's line break survives: a <br> in HTML, a newline in text.
      expect(out.html).toContain('The halt now covers hosted access.<br>');
      expect(out.text).toContain('The halt now covers hosted access.\nModel weights are reviewed separately.');
      // Styles were inlined into the body, not left in a <style> block only.
      expect(out.html).toMatch(/<h1 style="[^"]+"/);
      expect(out.html).toMatch(/<table class="products"[^>]* style="[^"]+"/);
      expect(out.html).not.toMatch(/{{|}}/);
      expect(out.text).not.toMatch(/{{|}}|<\/?[a-z]+[ >]/);
    });
  });

  it('names changes in updated notices in both directions', () => {
    const out = renderer.render({
      ...input('updated', 'developer', 'en'),
      added: [{ product: 'orca-api', country: 'DE' }],
      removed: [{ product: 'orca-api', country: 'SG' }],
      affected: [{ product: 'orca-api', country: 'DE' }],
    });
    expect(out.text).toMatch(/Newly suspended\n- Orca Inference API \(orca-api, Hosted API\): Germany/);
    expect(out.text).toMatch(/No longer suspended\n- Orca Inference API \(orca-api, Hosted API\): Singapore/);
  });

  it('marks test notices in the subject, the HTML and the text', () => {
    const out = renderer.render({ ...input('suspended', 'developer', 'de'), isTest: true });
    expect(out.subject.startsWith('[TEST] ')).toBe(true);
    expect(out.html).toContain('TEST — nicht an Kunden versendet');
    expect(out.text).toContain('TEST — nicht an Kunden versendet');
    const real = renderer.render(input('suspended', 'developer', 'de'));
    expect(real.subject).not.toContain('[TEST]');
    expect(real.html).not.toContain('TEST —');
  });
});
