import * as fs from 'node:fs';
import { cpSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalLocale, LocaleResolver } from './notice-renderer.locale';
import { sampleRenderInput } from './notice-renderer.sample';
import { NoticeRenderer, sanitizeSubject, TemplateRenderError } from './notice-renderer.service';
import type { NoticeRenderInput } from '../../domain/notice.types';

const TEMPLATES = join(__dirname, '..', '..', '..', 'templates');

/** A writable copy of the shipped templates, for tests that break or extend them. */
function templatesCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'notice-templates-'));
  cpSync(TEMPLATES, dir, { recursive: true });
  return dir;
}

describe('LocaleResolver', () => {
  const resolver = new LocaleResolver(['en', 'de', 'pt', 'zh-Hant']);

  it.each([
    ['de', 'de'],
    ['de-AT', 'de'],
    ['DE-at', 'de'],
    ['pt-BR', 'pt'],
    ['pt', 'pt'],
    ['zh-Hant-TW', 'zh-Hant'],
    ['zh-Hans-CN', 'en'],
    ['fr', 'en'],
    ['', 'en'],
    ['../../etc/passwd', 'en'],
    ['en/../../x', 'en'],
    ['de/../../../etc', 'en'],
    ['de\u0000', 'en'],
    ['x'.repeat(200), 'en'],
    ['de-DE-u-co-phonebk', 'en'],
  ])('%j → %s', (raw, expected) => {
    expect(resolver.resolve(raw)).toBe(expected);
  });

  it('refuses non-strings and malformed tags', () => {
    expect(resolver.resolve(undefined)).toBe('en');
    expect(canonicalLocale('en_US')).toBeNull();
    expect(canonicalLocale('de-at')).toBe('de-AT');
  });
});

describe('sanitizeSubject', () => {
  it('keeps one line with no control characters', () => {
    expect(sanitizeSubject('Hello\r\nBcc: evil@example.com\tthere\u2028x')).toBe('Hello Bcc: evil@example.com there x');
  });
});

describe('NoticeRenderer', () => {
  let renderer: NoticeRenderer;
  beforeAll(() => {
    renderer = NoticeRenderer.load(TEMPLATES);
  });

  function render(patch: Partial<NoticeRenderInput> = {}, kind: NoticeRenderInput['kind'] = 'suspended') {
    return renderer.render({ ...sampleRenderInput(kind, kind === 'am-digest' ? null : 'developer'), ...patch });
  }

  it('escapes markup in every registry and event value of the HTML part', () => {
    const xss = '<script>alert(1)</script>';
    const base = sampleRenderInput('license-granted', 'enterprise');
    const out = renderer.render({
      ...base,
      recipient: { email: 'ops@acme.example', name: xss },
      customer: { ...base.customer!, name: xss, ref: xss, accountManager: { name: xss, email: 'am@vendor.example' } },
      event: { ...base.event, title: xss, summary: `${xss}\n"quoted" & 'single'`, authority: xss, conditions: [xss] },
      products: { ...base.products, 'claude-api': { name: xss, category: 'hosted-api' } },
    });
    expect(out.html).not.toContain('<script>');
    expect(out.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(out.html).toContain('&quot;quoted&quot; &amp; &#x27;single&#x27;');
    // Plain text is not HTML: the name reads as typed.
    expect(out.text).toContain(xss);
  });

  it('shows line breaks of the summary as paragraphs and <br>, after escaping', () => {
    const out = render({ event: { ...sampleRenderInput('suspended', 'developer').event, summary: 'one <b>\ntwo\n\nthree' } });
    expect(out.html).toContain('<p>one &lt;b&gt;<br>\ntwo</p>\n<p>three</p>');
  });

  it('keeps the subject on one line when names and titles hold CR/LF', () => {
    const base = sampleRenderInput('suspended', 'developer');
    const out = renderer.render({
      ...base,
      customer: { ...base.customer!, name: 'Acme\r\nBcc: victim@example.com' },
      event: { ...base.event, title: 'Halt\nX-Evil: 1' },
    });
    expect(out.subject).toBe('Access suspended for Acme Bcc: victim@example.com: Halt X-Evil: 1');
  });

  it('falls back pt-BR → en with the shipped templates, and uses the contact region for dates when the language matches', () => {
    expect(render({ locale: 'pt-BR' }).locale).toBe('en');
    const deAt = render({ locale: 'de-AT' });
    expect(deAt.locale).toBe('de');
    expect(deAt.html).toContain('<html lang="de-AT"');
    expect(deAt.text).toContain('26. November 2026');
  });

  it('resolves path-like locales to en without touching the filesystem', () => {
    const spies = (['readFileSync', 'existsSync', 'statSync', 'readdirSync', 'openSync'] as const).map((name) =>
      jest.spyOn(fs, name),
    );
    try {
      for (const locale of ['../../etc/passwd', 'en/../../x', '..\\..\\windows', '/etc/passwd', 'de/../../../../tmp']) {
        expect(render({ locale }).locale).toBe('en');
        expect(renderer.resolveLocale(locale)).toBe('en');
      }
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });

  it('throws TemplateRenderError for a notice the templates cannot render', () => {
    expect(() => render({ kind: 'suspended', tier: null })).toThrow(TemplateRenderError);
    expect(() => render({ kind: 'nope' as never })).toThrow(TemplateRenderError);
    expect(() => render({ statusUrl: 'javascript:alert(1)' })).toThrow(TemplateRenderError);
    expect(() => render({ event: undefined as never })).toThrow(TemplateRenderError);
  });

  describe('with a modified copy of the templates', () => {
    let dir: string;
    beforeEach(() => {
      dir = templatesCopy();
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('fails only the notices of a broken template, with TemplateRenderError', () => {
      writeFileSync(join(dir, 'email', 'de', 'suspended.developer.html.hbs'), '<p>{{#each affected.items}}unclosed</p>');
      writeFileSync(join(dir, 'email', 'fr', 'restored.developer.text.hbs'), '{{customer.nickname}}');
      const broken = NoticeRenderer.load(dir);
      expect(broken.problems.join('\n')).toContain('de/suspended.developer.html.hbs');
      expect(broken.problems.join('\n')).toContain('fr/restored.developer.text.hbs');

      const de = () => broken.render({ ...sampleRenderInput('suspended', 'developer'), locale: 'de' });
      expect(de).toThrow(TemplateRenderError);
      expect(de).toThrow(/de\/suspended\.developer\.html\.hbs/);
      const fr = () => broken.render({ ...sampleRenderInput('restored', 'developer'), locale: 'fr' });
      expect(fr).toThrow(TemplateRenderError);
      expect(fr).toThrow(/"nickname" not defined/);
      // Everything else still renders.
      expect(broken.render({ ...sampleRenderInput('suspended', 'enterprise'), locale: 'de' }).locale).toBe('de');
      expect(broken.render({ ...sampleRenderInput('suspended', 'developer'), locale: 'en' }).locale).toBe('en');
    });

    it('refuses to start when an en template is missing', () => {
      unlinkSync(join(dir, 'email', 'en', 'license-denied.enterprise.text.hbs'));
      expect(() => NoticeRenderer.load(dir)).toThrow(/en\/license-denied\.enterprise\.text\.hbs/);
    });

    it('falls back per file to en, and pt-BR → pt when pt exists', () => {
      mkdirSync(join(dir, 'email', 'pt'));
      writeFileSync(join(dir, 'email', 'pt', 'suspended.developer.subject.hbs'), 'Acesso suspenso para {{customer.name}}');
      writeFileSync(join(dir, 'email', 'pt', 'strings.json'), JSON.stringify({ categories: { 'hosted-api': 'API hospedada' } }));
      unlinkSync(join(dir, 'email', 'de', 'suspended.developer.subject.hbs'));
      const r = NoticeRenderer.load(dir);
      expect(r.problems).toEqual([]);

      const pt = r.render({ ...sampleRenderInput('suspended', 'developer'), locale: 'pt-BR' });
      expect(pt.locale).toBe('pt');
      expect(pt.subject).toBe('Acesso suspenso para Acme GmbH');
      expect(pt.text).toContain('Dear Acme Operations'); // body from en
      expect(pt.text).toContain('API hospedada'); // label from pt/strings.json
      expect(pt.text).toContain('Alemanha'); // country names in Portuguese
      expect(pt.text).toContain('26 de novembro de 2026'); // dates formatted for pt-BR

      const de = r.render({ ...sampleRenderInput('suspended', 'developer'), locale: 'de' });
      expect(de.subject).toMatch(/^Access suspended for Acme GmbH/); // missing de subject → en
      expect(de.text).toContain('Guten Tag Acme Operations'); // de body kept
    });

    it('keeps strict, escaped HTML even where a template uses the text partials’ names', () => {
      // An HTML template can only reach HTML partials: the text partial of the same name is not escaped.
      writeFileSync(join(dir, 'email', 'en', 'suspended.developer.html.hbs'), '{{> section affected heading=customer.name}}');
      const r = NoticeRenderer.load(dir);
      const base = sampleRenderInput('suspended', 'developer');
      const out = r.render({ ...base, customer: { ...base.customer!, name: '<img src=x onerror=alert(1)>' } });
      expect(out.html).toContain('>&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;</h2>');
      expect(out.html).not.toContain('<img');
    });
  });
});
