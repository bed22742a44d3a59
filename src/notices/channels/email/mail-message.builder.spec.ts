import {
  buildMailMessage,
  InvalidRecipientError,
  noticeMessageId,
  sanitizeDisplayName,
  sanitizeHeaderValue,
} from './mail-message.builder';
import { sampleRenderInput } from '../../rendering/notice-renderer.sample';
import type { RenderedNotice } from '../../../domain/notice.types';

const config = {
  MAIL_FROM: 'Export Compliance <notices@vendor.example>',
  MAIL_DOMAIN: 'vendor.example',
  SUPPORT_EMAIL: 'support@vendor.example',
};
const rendered: RenderedNotice = { subject: 'Subject', html: '<p>hi</p>', text: 'hi\n', locale: 'en' };

describe('buildMailMessage', () => {
  it('addresses the contact as an object and sets the SPEC headers', () => {
    const input = sampleRenderInput('suspended', 'developer');
    const msg = buildMailMessage({ ...input, noticeId: '42' }, rendered, config);
    expect(msg.from).toBe(config.MAIL_FROM);
    expect(msg.to).toEqual({ name: 'Acme Operations', address: 'ops@acme.example' });
    expect(msg.messageId).toBe('<notice-42@vendor.example>');
    expect(msg.replyTo).toBe('support@vendor.example');
    expect(msg.headers).toEqual({
      'X-Case-Id': 'export-halt-2026-11',
      'X-Event-Id': 'bis-2026-11-26-001',
      'X-Notice-Kind': 'suspended',
      'Content-Language': 'en',
      'X-Customer-Ref': 'ACME-001',
      'Auto-Submitted': 'auto-generated',
    });
    expect(msg).not.toHaveProperty('date');
    expect([msg.subject, msg.html, msg.text]).toEqual(['Subject', '<p>hi</p>', 'hi\n']);
  });

  it('replies to the account manager on enterprise notices, to support when there is none', () => {
    const input = sampleRenderInput('suspended', 'enterprise');
    expect(buildMailMessage(input, rendered, config).replyTo).toEqual({
      name: 'Jane Doe',
      address: 'jane.doe@vendor.example',
    });
    const orphan = { ...input, customer: { ...input.customer!, accountManager: null } };
    expect(buildMailMessage(orphan, rendered, config).replyTo).toBe('support@vendor.example');
  });

  it('sets Content-Language to the locale of the catalogue used, not the contact’s own tag', () => {
    const input = { ...sampleRenderInput('suspended', 'developer'), locale: 'pt-BR' };
    const msg = buildMailMessage(input, { ...rendered, locale: 'pt' }, config);
    expect((msg.headers as Record<string, string>)['Content-Language']).toBe('pt');
    const digest = buildMailMessage(sampleRenderInput('am-digest', null), { ...rendered, locale: 'zh-Hant' }, config);
    expect((digest.headers as Record<string, string>)['Content-Language']).toBe('zh-Hant');
  });

  it('leaves X-Customer-Ref off digests and marks test notices', () => {
    const digest = buildMailMessage(
      { ...sampleRenderInput('am-digest', null), isTest: true, noticeId: '7' },
      rendered,
      config,
    );
    expect(digest.headers).not.toHaveProperty('X-Customer-Ref');
    expect(digest.headers).toHaveProperty('X-Test-Notice', 'yes');
    expect(digest.messageId).toBe('<test-notice-7@vendor.example>');
  });

  it('gives the same notice the same Message-ID and boundary on every attempt, and another notice others', () => {
    const input = sampleRenderInput('updated', 'developer');
    const a = buildMailMessage(input, rendered, config);
    const b = buildMailMessage(input, rendered, config);
    const other = buildMailMessage({ ...input, noticeId: 'other' }, rendered, config);
    expect([b.messageId, b.baseBoundary]).toEqual([a.messageId, a.baseBoundary]);
    expect(other.messageId).not.toBe(a.messageId);
    expect(other.baseBoundary).not.toBe(a.baseBoundary);
  });

  it('puts CR/LF in names and header values on one line', () => {
    const input = sampleRenderInput('suspended', 'enterprise');
    const msg = buildMailMessage(
      {
        ...input,
        recipient: { email: 'ops@acme.example', name: 'Ops\r\nBcc: victim@example.com' },
        customer: {
          ...input.customer!,
          ref: 'R1\r\nX-Evil: 1',
          accountManager: { name: 'Jane\nDoe', email: 'jane@vendor.example' },
        },
        event: { ...input.event, caseId: 'c\r\n1' },
      },
      { ...rendered, subject: 'Hi\r\nBcc: x@y' },
      config,
    );
    expect(msg.to).toEqual({ name: 'Ops Bcc: victim@example.com', address: 'ops@acme.example' });
    expect(msg.replyTo).toEqual({ name: 'Jane Doe', address: 'jane@vendor.example' });
    expect(msg.subject).toBe('Hi Bcc: x@y');
    expect((msg.headers as Record<string, string>)['X-Customer-Ref']).toBe('R1 X-Evil: 1');
    expect((msg.headers as Record<string, string>)['X-Case-Id']).toBe('c 1');
  });

  it('refuses an address that is not one address', () => {
    const input = sampleRenderInput('suspended', 'developer');
    for (const email of [
      'a@b.example\r\nRCPT TO:<x@y>',
      'a@b.example, c@d.example',
      'Name <a@b.example>',
      'no-at-sign',
      '',
    ]) {
      expect(() => buildMailMessage({ ...input, recipient: { email, name: 'x' } }, rendered, config)).toThrow(
        InvalidRecipientError,
      );
    }
  });
});

describe('helpers', () => {
  it('sanitise values and ids', () => {
    expect(sanitizeHeaderValue(' a\r\nb\u0000c ')).toBe('a b c');
    expect(sanitizeDisplayName('Müller,\t"GmbH"\n')).toBe('Müller, "GmbH"');
    expect(noticeMessageId('a b/c>', 'vendor.example')).toBe('<notice-a-b-c-@vendor.example>');
  });
});
