// The notice bytes we build (raw-message.builder.ts) against what MailComposer builds from the same message options,
// as a mail client reads them (mailparser): the same headers, addresses, subject, text and HTML, in every kind, tier
// and script.
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { createTransport } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import { buildMailMessage, type NoticeMail } from '../../src/notices/channels/email/mail-message.builder';
import { MailTransportService } from '../../src/notices/channels/email/mail-transport.service';
import { buildRawMessage } from '../../src/notices/channels/email/raw-message.builder';
import { sampleRenderInput } from '../../src/notices/rendering/notice-renderer.sample';
import { NoticeRenderer } from '../../src/notices/rendering/notice-renderer.service';
import type { NoticeKind, NoticeRenderInput } from '../../src/domain/notice.types';
import type { Tier } from '../../src/domain/registry.types';
import { parseMessage, startSmtpSink, type SmtpSink } from '../support/smtp-sink';

const config = {
  MAIL_FROM: 'Export Compliance <notices@vendor.example>',
  MAIL_DOMAIN: 'vendor.example',
  SUPPORT_EMAIL: 'support@vendor.example',
};
const renderer = NoticeRenderer.load(join(__dirname, '..', '..', 'templates'));

interface Case {
  name: string;
  kind: NoticeKind;
  tier: Tier | null;
  locale: string;
  patch?: (input: NoticeRenderInput) => Partial<NoticeRenderInput>;
}

const LONG_TITLE =
  'Exports of AI models, model weights and all related technical data halted pending a national security review ' +
  'of the destinations concerned, including hosted access, fine-tuning services and evaluation datasets';

const named =
  (name: string, email = 'ops@acme.example', am?: { name: string; email: string }) =>
  (input: NoticeRenderInput): Partial<NoticeRenderInput> => ({
    recipient: { email, name },
    customer: input.customer && { ...input.customer, ...(am ? { accountManager: am } : {}) },
  });

const CASES: Case[] = [
  { name: 'en developer', kind: 'suspended', tier: 'developer', locale: 'en' },
  {
    name: 'en enterprise, test send',
    kind: 'updated',
    tier: 'enterprise',
    locale: 'en',
    patch: () => ({ isTest: true }),
  },
  {
    name: 'de, umlauts in the names',
    kind: 'suspended',
    tier: 'enterprise',
    locale: 'de',
    patch: named('Jürgen Müller-Lüdenscheidt', 'juergen@acme.example', {
      name: 'Björn Weiß',
      email: 'bw@vendor.example',
    }),
  },
  {
    name: 'de, comma, quotes and ampersand in the name',
    kind: 'restored',
    tier: 'developer',
    locale: 'de',
    patch: named('Müller, "Hans" & Söhne (Einkauf)'),
  },
  {
    name: 'ASCII name with comma and quotes',
    kind: 'license-granted',
    tier: 'enterprise',
    locale: 'en',
    patch: named('Doe, "JJ" John'),
  },
  { name: 'ja', kind: 'suspended', tier: 'enterprise', locale: 'ja', patch: named('山田 太郎') },
  {
    name: 'ja, long subject',
    kind: 'license-denied',
    tier: 'developer',
    locale: 'ja',
    patch: (input) => ({ event: { ...input.event, title: `${LONG_TITLE}（国家安全保障上の審査のため）` } }),
  },
  { name: 'ar', kind: 'suspended', tier: 'developer', locale: 'ar', patch: named('محمد بن سلمان، قسم العمليات') },
  { name: 'he', kind: 'updated', tier: 'enterprise', locale: 'he', patch: named('דוד "דודי" כהן') },
  { name: 'zh-Hans digest', kind: 'am-digest', tier: null, locale: 'zh-Hans' },
  { name: 'zh-Hant', kind: 'restored', tier: 'enterprise', locale: 'zh-Hant', patch: named('陳大文') },
  { name: 'th', kind: 'license-granted', tier: 'developer', locale: 'th', patch: named('สมชาย ใจดี') },
  { name: 'ko', kind: 'license-denied', tier: 'enterprise', locale: 'ko', patch: named('김철수') },
  {
    name: 'en, long subject, non-ASCII customer ref and name',
    kind: 'suspended',
    tier: 'enterprise',
    locale: 'en',
    patch: (input) => ({
      event: { ...input.event, title: LONG_TITLE },
      customer: { ...input.customer!, ref: 'KÖLN-Ä-001', name: 'Société Générale d’Électricité, Zürich' },
    }),
  },
  {
    name: 'IDN domain and a non-ASCII local part',
    kind: 'suspended',
    tier: 'developer',
    locale: 'de',
    patch: named('Jörg', 'jörg@müller-bäckerei.example'),
  },
];

function mailOf(c: Case, id: string): NoticeMail {
  const base = { ...sampleRenderInput(c.kind, c.tier, c.locale), noticeId: id };
  const input = { ...base, ...c.patch?.(base) };
  return buildMailMessage(input, renderer.render(input), config);
}

/** What a reader of the two messages would see differently; empty when they read the same. */
function differences(old: ParsedMail, neu: ParsedMail, mail: NoticeMail, newRaw: Buffer): string[] {
  const diffs: string[] = [];
  const same = (what: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) diffs.push(`${what}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`);
  };
  same('header names', [...old.headers.keys()].sort(), [...neu.headers.keys()].sort());
  for (const [key, value] of old.headers) {
    if (key === 'date') continue;
    // The boundary is ours; the type and its parameters otherwise must agree.
    if (key === 'content-type')
      same(key, (value as { value: string }).value, (neu.headers.get(key) as { value: string })?.value);
    else same(key, value, neu.headers.get(key));
  }
  same('from', old.from?.value, neu.from?.value);
  same('to', old.to, neu.to);
  same('reply-to', old.replyTo?.value, neu.replyTo?.value);
  same('subject', old.subject, neu.subject);
  same('message-id', old.messageId, neu.messageId);
  same('text', old.text, neu.text);
  same('html', old.html, neu.html);
  // And both read what the notice says, so that agreeing on a wrong value fails too.
  same('subject as built', neu.subject, mail.subject);
  same('text as built', neu.text, mail.text);
  same('html as built', neu.html, mail.html);
  same('to as built', neu.to && !Array.isArray(neu.to) ? neu.to.value[0].name : null, mail.to.name);
  // mailparser leaves RFC 2047 words in unknown headers as they are; the sink's parser decodes them.
  const decoded = parseMessage(newRaw);
  for (const [key, value] of Object.entries(mail.headers))
    same(`${key} as built`, decoded.header(key.toLowerCase()), value);
  if (!(neu.date instanceof Date) || Number.isNaN(neu.date.getTime())) diffs.push('date: missing or unreadable');
  if (neu.attachments.length > 0) diffs.push(`attachments: ${neu.attachments.length}`);
  return diffs;
}

function wireProblems(raw: Buffer): string[] {
  const text = raw.toString('utf8');
  const problems: string[] = [];
  if (/\r(?!\n)|(?<!\r)\n/.test(text)) problems.push('a bare CR or LF');
  if (!text.endsWith('\r\n')) problems.push('no CRLF at the end');
  const lines = text.split('\r\n');
  const headEnd = lines.indexOf('');
  lines.forEach((line, i) => {
    if (Buffer.byteLength(line) > 998) problems.push(`line ${i + 1} is ${Buffer.byteLength(line)} bytes`);
    if (i < headEnd && line.length > 78) problems.push(`header line ${i + 1} is ${line.length} characters: ${line}`);
    // Non-ASCII only inside an address's angle brackets (a UTF-8 local part); everything else in RFC 2047 words.
    if (i < headEnd && /[^\x20-\x7e\t]/.test(line.replace(/<[^<>]*>/g, ''))) {
      problems.push(`header line ${i + 1} is not ASCII: ${line}`);
    }
  });
  return problems;
}

describe('the raw notice against MailComposer, read by mailparser', () => {
  it.each(CASES.map((c, i) => [c.name, c, i] as const))('%s', async (_name, c, i) => {
    const mail = mailOf(c, `raw-${i}`);
    const oldRaw = await new MailComposer(mail).compile().build();
    const newRaw = buildRawMessage(mail);
    expect(wireProblems(newRaw)).toEqual([]);
    const [old, neu] = await Promise.all([simpleParser(oldRaw), simpleParser(newRaw)]);
    expect(differences(old, neu, mail, newRaw)).toEqual([]);
    expect(neu.headers.get('mime-version')).toBe('1.0');
    expect(newRaw.toString('latin1')).toMatch(
      /\r\nContent-Type: text\/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n/,
    );
  });

  it('writes base64 bodies in lines of 76 whatever their length (a chunk is 57 × 1024 bytes)', async () => {
    const base = mailOf(CASES[0], 'raw-sizes');
    for (const n of [0, 1, 2, 3, 56, 57, 58, 57 * 1024 - 1, 57 * 1024, 57 * 1024 + 1, 3 * 57 * 1024 + 7, 700_001]) {
      const text = 'äx\n'.repeat(Math.ceil(n / 4)).slice(0, n);
      const mail = { ...base, text, html: `<p>${text}</p>` };
      const raw = buildRawMessage(mail);
      expect(wireProblems(raw)).toEqual([]);
      // Each part's body: every line 76 characters but the last, which is 1–76.
      const bodies = [...raw.toString('latin1').matchAll(/base64\r\n\r\n([^-]*?)\r\n(?:--|$)/g)].map((m) =>
        m[1].split('\r\n'),
      );
      expect(bodies).toHaveLength(n === 0 ? 1 : 2);
      for (const lines of bodies) {
        expect(lines.slice(0, -1).filter((l) => l.length !== 76)).toEqual([]);
        expect(lines[lines.length - 1].length).toBeLessThanOrEqual(76);
      }
      const parsed = await simpleParser(raw);
      expect([parsed.text, parsed.html]).toEqual(n === 0 ? [expect.any(String), mail.html] : [text, mail.html]);
    }
  });

  it('notices a broken encoded word (the comparison can fail)', async () => {
    const mail = mailOf(
      CASES.find((c) => c.locale === 'ja')!,
      'raw-broken',
    );
    const good = buildRawMessage(mail).toString('latin1');
    // One base64 character of the first encoded word of the Subject changed.
    const broken = good.replace(
      /^(Subject: =\?UTF-8\?B\?)(.)/m,
      (_m, pre: string, ch: string) => pre + (ch === 'A' ? 'B' : 'A'),
    );
    expect(broken).not.toBe(good);
    const old = await simpleParser(await new MailComposer(mail).compile().build());
    const brokenRaw = Buffer.from(broken, 'latin1');
    const diffs = differences(old, await simpleParser(brokenRaw), mail, brokenRaw);
    expect(diffs.some((d) => d.startsWith('subject:'))).toBe(true);
  });
});

describe('through the pooled SMTP transport', () => {
  let sink: SmtpSink;
  let transport: MailTransportService;
  beforeAll(async () => {
    sink = await startSmtpSink();
    transport = MailTransportService.create({ SMTP_URL: sink.url, OUTBOX_DIR: 'unused' });
  });
  afterAll(async () => {
    await transport.close();
    await sink.close();
  });

  it('delivers what a bare Nodemailer send of the same options delivers', async () => {
    const bare = createTransport({ url: sink.url });
    try {
      // Addresses an SMTP server without SMTPUTF8 takes, so that both sends arrive.
      for (const [i, c] of CASES.filter((k) => !k.name.startsWith('IDN')).entries()) {
        const mail = mailOf(c, `smtp-${i}`);
        sink.clear();
        await bare.sendMail(mail);
        const res = await transport.send(mail);
        expect(res).toMatchObject({ code: 250, messageId: mail.messageId });
        const [old, neu] = await sink.waitForMessages(2);
        expect(neu.envelope).toEqual(old.envelope);
        const [a, b] = await Promise.all([simpleParser(old.raw), simpleParser(neu.raw)]);
        expect([c.name, differences(a, b, mail, neu.raw)]).toEqual([c.name, []]);
      }
    } finally {
      bare.close();
    }
  });
});
