// DKIM (SPEC §4): with DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY every message is signed, and a verifier accepts it.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dkimVerify } from 'mailauth/lib/dkim/verify';
import { loadConfig } from '../../src/config/app-config';
import { buildMailMessage } from '../../src/notices/channels/email/mail-message.builder';
import { MailTransportService } from '../../src/notices/channels/email/mail-transport.service';
import { sampleRenderInput } from '../../src/notices/rendering/notice-renderer.sample';
import { NoticeRenderer } from '../../src/notices/rendering/notice-renderer.service';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const dnsValue = `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`;
// The verifier asks DNS for the selector's key; this answers from the key pair above and nothing else.
const resolver = async (name: string, type: string) => {
  if (type === 'TXT' && name === 's2026._domainkey.vendor.example') return [[dnsValue]];
  throw Object.assign(new Error(`no ${type} record for ${name}`), { code: 'ENOTFOUND' });
};

let sink: SmtpSink;
let dir: string;
const renderer = NoticeRenderer.load(join(__dirname, '..', '..', 'templates'));

beforeAll(async () => {
  sink = await startSmtpSink();
  dir = mkdtempSync(join(tmpdir(), 'dkim-'));
});
afterAll(async () => {
  await sink.close();
  rmSync(dir, { recursive: true, force: true });
});

async function sendSigned(env: Record<string, string>, id: string) {
  const config = loadConfig({ SMTP_URL: sink.url, DKIM_DOMAIN: 'vendor.example', DKIM_SELECTOR: 's2026', ...env });
  const transport = MailTransportService.create(config);
  try {
    const input = { ...sampleRenderInput('suspended', 'enterprise'), noticeId: id };
    await transport.send(buildMailMessage(input, renderer.render(input), config));
  } finally {
    await transport.close();
  }
  return sink.messages.find((m) => m.messageId === `<notice-${id}@vendor.example>`)!;
}

describe('DKIM signing', () => {
  it('signs with a PEM key given inline, and mailauth verifies the signature', async () => {
    const mail = await sendSigned({ DKIM_PRIVATE_KEY: pem.replace(/\n/g, '\\n') }, 'dkim-inline');
    expect(mail.header('dkim-signature')).toMatch(/d=vendor\.example;.*s=s2026/s);
    const result = await dkimVerify(mail.raw, { resolver });
    expect(result.results).toHaveLength(1);
    expect(result.results[0].status.result).toBe('pass');
    expect(result.results[0].signingDomain).toBe('vendor.example');
  });

  it('reads the key from a file path; a message changed in transit fails verification', async () => {
    const file = join(dir, 'dkim.pem');
    writeFileSync(file, pem);
    const mail = await sendSigned({ DKIM_PRIVATE_KEY: file }, 'dkim-file');
    expect((await dkimVerify(mail.raw, { resolver })).results[0].status.result).toBe('pass');
    const tampered = Buffer.from(mail.raw.toString('utf8').replace(/Acme/g, 'Acne'));
    expect(tampered.equals(mail.raw)).toBe(false);
    expect((await dkimVerify(tampered, { resolver })).results[0].status.result).toBe('fail');
  });

  it('signs the raw bytes handed to a provider with a size limit too', async () => {
    const mail = await sendSigned(
      { DKIM_PRIVATE_KEY: pem, SMTP_URL: `${sink.url}?maxMessageBytes=1000000` },
      'dkim-raw',
    );
    expect((await dkimVerify(mail.raw, { resolver })).results[0].status.result).toBe('pass');
  });
});
