import * as fs from 'node:fs';
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** Sets (or, with undefined, removes) messages in a copy's catalogue. */
function patchCatalogue(dir: string, locale: string, patch: Record<string, string | undefined>): void {
  const file = join(dir, 'messages', `${locale}.json`);
  const messages = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete messages[key];
    else messages[key] = value;
  }
  writeFileSync(file, JSON.stringify(messages));
}

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
    const out = render({
      event: { ...sampleRenderInput('suspended', 'developer').event, summary: 'one <b>\ntwo\n\nthree' },
    });
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

  it('falls back pt-BR → pt with the shipped catalogues, and uses the contact region for dates when the language matches', () => {
    // pt ships now (issue 14): a pt-BR contact reads Portuguese, where it read English when only en/de/fr/ja shipped.
    expect(render({ locale: 'pt-BR' }).locale).toBe('pt');
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

  it('renders in a chosen locale when asked, falling back like a contact locale', () => {
    const base = sampleRenderInput('suspended', 'developer');
    expect(renderer.render({ ...base, locale: 'de' }, { locale: 'fr' }).locale).toBe('fr');
    expect(renderer.render({ ...base, locale: 'de' }, { locale: 'fr' }).subject).toMatch(
      /^Accès suspendu pour Acme GmbH/,
    );
    expect(renderer.render({ ...base, locale: 'de' }, { locale: 'zh-TW' }).locale).toBe('zh-Hant');
    expect(renderer.render({ ...base, locale: 'de' }, { locale: 'tlh' }).locale).toBe('en');
    expect(renderer.render({ ...base, locale: 'de' }, {}).locale).toBe('de');
  });

  it('lists the shipped locales, en first, with their own names and direction', () => {
    const shipped = renderer.shippedLocales;
    expect(shipped[0]).toEqual({ locale: 'en', name: 'English', dir: 'ltr' });
    expect(shipped).toContainEqual({ locale: 'de', name: 'Deutsch', dir: 'ltr' });
    expect(
      shipped
        .filter((l) => l.dir === 'rtl')
        .map((l) => l.locale)
        .sort(),
    ).toEqual(['ar', 'he']);
    expect(renderer.locales).toEqual(shipped.map((l) => l.locale));
  });

  it('writes right-to-left languages right to left, with the layout mirrored', () => {
    const ar = render({ locale: 'ar' });
    expect(ar.html).toContain('<html lang="ar" dir="rtl"');
    expect(ar.html).toMatch(/<body dir="rtl"/);
    expect(ar.html).toMatch(/class="event"[^>]*border-right: 4px solid/);
    expect(ar.html).toMatch(/<th[^>]*text-align: right/);
    const en = render();
    expect(en.html).toContain('<html lang="en" dir="ltr"');
    expect(en.html).toMatch(/class="event"[^>]*border-left: 4px solid/);
  });

  it('says so when nothing stays suspended, instead of listing "None"', () => {
    const base = sampleRenderInput('license-granted', 'developer');
    const all = renderer.render({ ...base, affected: [] });
    expect(all.subject).toMatch(/^License granted, access restored for Acme GmbH/);
    expect(all.text).toContain('No product remains suspended for Acme GmbH in this case.');
    expect(all.text).not.toContain('Still suspended');
    expect(all.text).not.toContain('stay blocked');
    const part = renderer.render(base);
    expect(part.subject).toMatch(/^License granted, access partly restored/);
    expect(part.text).toMatch(/Still suspended\n- Claude API/);
    const one = renderer.render({ ...base, affected: [{ product: 'claude-api', country: 'DE' }] });
    expect(one.text).toContain('The product that is still suspended stays blocked until further notice.');
  });

  it('allows only the catalogue tags in a message: a translation that adds markup fails its notices', () => {
    const dir = templatesCopy();
    try {
      patchCatalogue(dir, 'de', { 'suspended.heading': 'Zugang <script>alert(1)</script> ausgesetzt' });
      const r = NoticeRenderer.load(dir);
      expect(r.problems.join('\n')).toMatch(/messages\/de\.json "suspended\.heading": unknown tag <script>/);
      expect(() => r.render({ ...sampleRenderInput('suspended', 'developer'), locale: 'de' })).toThrow(
        TemplateRenderError,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('escapes what a translator types in HTML, and keeps it as typed in text', () => {
    const dir = templatesCopy();
    try {
      patchCatalogue(dir, 'en', { 'suspended.heading': 'R&D "tools" > paused' });
      const out = NoticeRenderer.load(dir).render(sampleRenderInput('suspended', 'developer'));
      expect(out.html).toMatch(/<h1[^>]*>R&amp;D &quot;tools&quot; &gt; paused<\/h1>/);
      expect(out.text).toContain('R&D "tools" > paused');
    } finally {
      rmSync(dir, { recursive: true, force: true });
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

    it('fails only the notices of a broken template or message, with TemplateRenderError', () => {
      writeFileSync(join(dir, 'email', 'suspended.html.hbs'), '<p>{{#each affected.items}}unclosed</p>');
      writeFileSync(join(dir, 'email', 'restored.text.hbs'), '{{customer.nickname}}');
      patchCatalogue(dir, 'de', { 'updated.intro': 'Die Behörde {customer hat' });
      const broken = NoticeRenderer.load(dir);
      expect(broken.problems.join('\n')).toContain('suspended.html.hbs');
      expect(broken.problems.join('\n')).toContain('restored.text.hbs');
      expect(broken.problems.join('\n')).toContain('messages/de.json "updated.intro"');

      const de = () => broken.render({ ...sampleRenderInput('suspended', 'developer'), locale: 'de' });
      expect(de).toThrow(TemplateRenderError);
      expect(de).toThrow(/suspended\.html\.hbs/);
      const fr = () => broken.render({ ...sampleRenderInput('restored', 'developer'), locale: 'fr' });
      expect(fr).toThrow(TemplateRenderError);
      expect(fr).toThrow(/"nickname" not defined/);
      const deUpdated = () => broken.render({ ...sampleRenderInput('updated', 'enterprise'), locale: 'de' });
      expect(deUpdated).toThrow(TemplateRenderError);
      expect(deUpdated).toThrow(/messages\/de\.json "updated\.intro"/);
      // Everything else still renders.
      expect(broken.render({ ...sampleRenderInput('updated', 'enterprise'), locale: 'fr' }).locale).toBe('fr');
      expect(broken.render({ ...sampleRenderInput('license-denied', 'developer'), locale: 'de' }).locale).toBe('de');
      expect(broken.render({ ...sampleRenderInput('updated', 'developer'), locale: 'en' }).locale).toBe('en');
    });

    it('refuses to start when a template is missing, or en lacks a message the templates use', () => {
      unlinkSync(join(dir, 'email', 'license-denied.text.hbs'));
      expect(() => NoticeRenderer.load(dir)).toThrow(/license-denied\.text\.hbs/);
      const other = templatesCopy();
      try {
        patchCatalogue(other, 'en', { 'license-denied.closing': undefined });
        expect(() => NoticeRenderer.load(other)).toThrow(/messages\/en\.json .*missing license-denied\.closing/);
      } finally {
        rmSync(other, { recursive: true, force: true });
      }
    });

    it('falls back per message to en, and pt-BR → pt when pt exists', () => {
      writeFileSync(
        join(dir, 'messages', 'pt.json'),
        JSON.stringify({
          'suspended.subject': 'Acesso suspenso para {customer}: {title}',
          'category.hosted-api': 'API hospedada',
        }),
      );
      patchCatalogue(dir, 'de', { 'suspended.subject': undefined });
      const r = NoticeRenderer.load(dir);
      expect(r.problems).toEqual([]);
      expect(r.missingMessages('de')).toEqual(['suspended.subject']);

      const pt = r.render({ ...sampleRenderInput('suspended', 'developer'), locale: 'pt-BR' });
      expect(pt.locale).toBe('pt');
      expect(pt.subject).toBe(
        'Acesso suspenso para Acme GmbH: Exports of AI models halted pending national security review',
      );
      expect(pt.text).toContain('Dear Acme Operations'); // body from en
      expect(pt.text).toContain('API hospedada'); // label from messages/pt.json
      expect(pt.text).toContain('Alemanha'); // country names in Portuguese
      expect(pt.text).toContain('26 de novembro de 2026'); // dates formatted for pt-BR

      const de = r.render({ ...sampleRenderInput('suspended', 'developer'), locale: 'de' });
      expect(de.subject).toMatch(/^Access suspended for Acme GmbH/); // missing de subject → en
      expect(de.text).toContain('Guten Tag Acme Operations'); // de body kept
    });

    it('keeps strict, escaped HTML even where a template uses the text partials’ names', () => {
      // An HTML template can only reach HTML partials: the text partial of the same name is not escaped.
      writeFileSync(join(dir, 'email', 'suspended.html.hbs'), '{{> section affected heading=customer.name}}');
      const r = NoticeRenderer.load(dir);
      const base = sampleRenderInput('suspended', 'developer');
      const out = r.render({ ...base, customer: { ...base.customer!, name: '<img src=x onerror=alert(1)>' } });
      expect(out.html).toContain('>&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;</h2>');
      expect(out.html).not.toContain('<img');
    });
  });
});
