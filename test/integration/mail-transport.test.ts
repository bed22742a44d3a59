// Rendered notices through the pooled SMTP transport into an in-process sink (and into the outbox): what a mail server really receives.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import addressparser from 'nodemailer/lib/addressparser';
import { buildMailMessage } from '../../src/notices/channels/email/mail-message.builder';
import { MailTransportService } from '../../src/notices/channels/email/mail-transport.service';
import { sampleRenderInput } from '../../src/notices/rendering/notice-renderer.sample';
import { NoticeRenderer } from '../../src/notices/rendering/notice-renderer.service';
import { SmtpPermanentError, SmtpTemporaryError } from '../../src/notices/channels/email/smtp-errors';
import type { NoticeRenderInput } from '../../src/domain/notice.types';
import type { Tier } from '../../src/domain/registry.types';
import { parseMessage, startSmtpSink, type SinkMessage, type SmtpSink } from '../support/smtp-sink';

const config = {
  MAIL_FROM: 'Export Compliance <notices@vendor.example>',
  MAIL_DOMAIN: 'mail.vendor.example',
  SUPPORT_EMAIL: 'support@vendor.example',
};

let renderer: NoticeRenderer;
let sink: SmtpSink;
let transport: MailTransportService;

beforeAll(async () => {
  renderer = NoticeRenderer.load(join(__dirname, '..', '..', 'templates'));
  sink = await startSmtpSink();
  transport = MailTransportService.create({ SMTP_URL: sink.url, OUTBOX_DIR: 'unused' });
});
afterAll(async () => {
  await transport.close();
  await sink.close();
});
beforeEach(() => sink.clear());

function notice(id: string, tier: Tier = 'developer', patch: Partial<NoticeRenderInput> = {}): NoticeRenderInput {
  return { ...sampleRenderInput('suspended', tier), noticeId: id, ...patch };
}

function message(input: NoticeRenderInput) {
  return buildMailMessage(input, renderer.render(input), config);
}

function headerBlock(mail: SinkMessage): string {
  const raw = mail.raw.toString('utf8');
  return raw.slice(0, raw.indexOf('\r\n\r\n'));
}

describe('MailTransportService over SMTP (pooled)', () => {
  it('delivers a notice with the SPEC headers, one recipient and the rendered parts', async () => {
    const result = await transport.send(message(notice('101')));
    expect(result).toMatchObject({ code: 250, messageId: '<notice-101@mail.vendor.example>' });
    expect(result.response).toMatch(/^250 /);

    const [mail] = await sink.waitForMessages(1);
    expect(mail.envelope).toEqual({ from: 'notices@vendor.example', to: ['ops@acme.example'] });
    expect(mail.messageId).toBe('<notice-101@mail.vendor.example>');
    expect(mail.header('x-case-id')).toBe('export-halt-2026-11');
    expect(mail.header('x-event-id')).toBe('bis-2026-11-26-001');
    expect(mail.header('x-notice-kind')).toBe('suspended');
    expect(mail.header('x-customer-ref')).toBe('ACME-001');
    expect(mail.header('x-test-notice')).toBeUndefined();
    expect(mail.header('reply-to')).toBe('support@vendor.example');
    expect(mail.subject).toBe(
      'Access suspended for Acme GmbH: Exports of AI models halted pending national security review',
    );
    expect(mail.html).toContain('<strong>Acme GmbH</strong>');
    expect(mail.text).toContain('Claude API (claude-api, Hosted API): France and Germany');
  });

  it('sets Reply-To to the account manager on enterprise notices', async () => {
    await transport.send(message(notice('102', 'enterprise')));
    const [mail] = await sink.waitForMessages(1);
    expect(addressparser(mail.header('reply-to')!)).toEqual([{ name: 'Jane Doe', address: 'jane.doe@vendor.example' }]);
  });

  it('marks a test send in the subject, headers and Message-ID; digests carry no X-Customer-Ref', async () => {
    await transport.send(message({ ...sampleRenderInput('am-digest', null), noticeId: '103', isTest: true }));
    const [mail] = await sink.waitForMessages(1);
    expect(mail.subject.startsWith('[TEST] ')).toBe(true);
    expect(mail.header('x-test-notice')).toBe('yes');
    expect(mail.header('x-customer-ref')).toBeUndefined();
    expect(mail.header('x-notice-kind')).toBe('am-digest');
    expect(mail.messageId).toBe('<test-notice-103@mail.vendor.example>');
    expect(mail.envelope.to).toEqual(['jane.doe@vendor.example']);
  });

  it('escapes a customer named <script> in the HTML that arrives', async () => {
    const base = notice('104');
    await transport.send(message({ ...base, customer: { ...base.customer!, name: '<script>alert(1)</script>' } }));
    const [mail] = await sink.waitForMessages(1);
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('lets CR/LF, quotes and commas in names and titles add no header and no recipient', async () => {
    const base = notice('105', 'enterprise');
    await transport.send(
      message({
        ...base,
        recipient: { email: 'ops@acme.example', name: 'Ops, "Team" <boss@evil.example>\r\nBcc: victim@evil.example' },
        customer: {
          ...base.customer!,
          name: 'Acme\r\nBcc: victim2@evil.example\r\nX-Injected: customer',
          ref: 'ACME-001\r\nX-Injected: ref',
          accountManager: { name: 'Jane\r\nCc: victim3@evil.example', email: 'jane.doe@vendor.example' },
        },
        event: { ...base.event, title: 'Halt\r\n\r\nX-Injected: title', caseId: 'export-halt-2026-11' },
      }),
    );
    const [mail] = await sink.waitForMessages(1);
    expect(mail.envelope.to).toEqual(['ops@acme.example']);
    const head = headerBlock(mail);
    expect(head).not.toMatch(/^(bcc|cc|x-injected):/im);
    expect([...mail.headers.keys()].filter((k) => ['bcc', 'cc', 'x-injected'].includes(k))).toEqual([]);
    expect(mail.headers.get('to')).toHaveLength(1);
    expect(addressparser(mail.header('to')!).map((a) => a.address)).toEqual(['ops@acme.example']);
    expect(addressparser(mail.header('reply-to')!).map((a) => a.address)).toEqual(['jane.doe@vendor.example']);
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.subject).toContain('Acme Bcc: victim2@evil.example X-Injected: customer');
    expect(mail.header('x-customer-ref')).toBe('ACME-001 X-Injected: ref');
  });

  it('sends the same Message-ID and body on a retry after a 451, then 250', async () => {
    sink.reply('data', 451, '4.3.0 Try again later');
    const msg = message(notice('106'));
    const first = await transport.send(msg).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(SmtpTemporaryError);
    expect(first).toMatchObject({ code: 451, response: expect.stringContaining('Try again later') });

    const again = await transport.send(message(notice('106')));
    expect(again.code).toBe(250);
    expect(sink.transactions.map((t) => [t.reply.code, t.message.messageId])).toEqual([
      [451, '<notice-106@mail.vendor.example>'],
      [250, '<notice-106@mail.vendor.example>'],
    ]);
    const withoutDate = (m: SinkMessage) => m.raw.toString('utf8').replace(/^Date: .*\r\n/m, '');
    expect(withoutDate(sink.transactions[1].message)).toBe(withoutDate(sink.transactions[0].message));
  });

  it('classifies 550 after DATA and a rejected recipient as permanent, keeping the reply', async () => {
    sink.reply('data', 550, '5.7.1 Message refused');
    const refused = await transport.send(message(notice('107'))).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SmtpPermanentError);
    expect(refused).toMatchObject({ code: 550, response: expect.stringContaining('Message refused') });

    sink.rejectRecipient('gone@acme.example', 553, 'Mailbox name not allowed');
    const gone = await transport
      .send(message(notice('108', 'developer', { recipient: { email: 'gone@acme.example', name: 'Gone' } })))
      .catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(SmtpPermanentError);
    expect(gone).toMatchObject({ code: 553 });
    expect(sink.messages).toHaveLength(0);
  });

  it('fails a message that cannot be encoded at once, as permanent, without sending anything', async () => {
    const broken = { ...message(notice('109')), text: undefined as unknown as string };
    const failed = await transport.send(broken).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(SmtpPermanentError);
    expect(failed).toMatchObject({ code: null, response: expect.stringMatching(/^the message could not be built: /) });
    expect(sink.messages).toHaveLength(0);
  });

  it('classifies 4xx on RCPT and on MAIL FROM as temporary', async () => {
    sink.reply('rcpt', 452, '4.2.2 Mailbox full');
    await expect(transport.send(message(notice('109')))).rejects.toMatchObject({ code: 452, temporary: true });
    // (A 421 is not used here: Nodemailer's pool takes it as a closing connection and requeues the message itself.)
    sink.reply('mail', 450, '4.7.1 Sender temporarily rejected');
    await expect(transport.send(message(notice('110')))).rejects.toBeInstanceOf(SmtpTemporaryError);
    await transport.send(message(notice('111')));
    expect(sink.messages.map((m) => m.messageId)).toEqual(['<notice-111@mail.vendor.example>']);
  });

  it('reports a server that is down as temporary, and sends again once it is back', async () => {
    await sink.down();
    try {
      const err = await transport.send(message(notice('112'))).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SmtpTemporaryError);
      expect(err).toMatchObject({ code: null, errorCode: expect.stringMatching(/^E(CONNREFUSED|CONNECTION|SOCKET)$/) });
    } finally {
      await sink.up();
    }
    await transport.send(message(notice('112')));
    expect((await sink.waitForMessages(1))[0].messageId).toBe('<notice-112@mail.vendor.example>');
  });

  it('reuses pooled connections', async () => {
    const before = sink.connectionCount;
    await Promise.all(Array.from({ length: 30 }, (_, i) => transport.send(message(notice(`p${i}`)))));
    expect(sink.messages).toHaveLength(30);
    expect(sink.connectionCount - before).toBeLessThanOrEqual(8);
  });
});

describe('MailTransportService without SMTP_URL (outbox)', () => {
  let dir: string;
  let outbox: MailTransportService;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'impact-outbox-test-'));
    outbox = MailTransportService.create({ OUTBOX_DIR: join(dir, 'nested', 'outbox') });
  });
  afterAll(async () => {
    await outbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes one .eml per notice id: a retry replaces the file', async () => {
    expect(outbox.mode).toBe('outbox');
    const first = await outbox.send(message(notice('201')));
    await outbox.send(message(notice('201')));
    await outbox.send(message(notice('202', 'enterprise')));
    const files = readdirSync(outbox.outboxDir!).sort();
    expect(files).toEqual(['notice-201@mail.vendor.example.eml', 'notice-202@mail.vendor.example.eml']);
    expect(first).toMatchObject({ code: 250, messageId: '<notice-201@mail.vendor.example>' });

    const raw = readFileSync(join(outbox.outboxDir!, files[1]));
    expect(raw.toString('latin1')).not.toMatch(/[^\r]\n/);
    const mail = parseMessage(raw);
    expect(mail.messageId).toBe('<notice-202@mail.vendor.example>');
    expect(mail.header('x-notice-kind')).toBe('suspended');
    expect(mail.html).toContain('Jane Doe');
    expect(mail.text).toContain('jane.doe@vendor.example');
  });
});
