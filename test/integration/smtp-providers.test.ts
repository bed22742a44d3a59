// Several SMTP providers in SMTP_URL (SPEC §4): fail-over on connection errors and 4xx, set-aside and return, own rates and sizes.
import { join } from 'node:path';
import { buildMailMessage } from '../../src/notices/channels/email/mail-message.builder';
import { MailTransportService } from '../../src/notices/channels/email/mail-transport.service';
import { SmtpPermanentError } from '../../src/notices/channels/email/smtp-errors';
import { sampleRenderInput } from '../../src/notices/rendering/notice-renderer.sample';
import { NoticeRenderer } from '../../src/notices/rendering/notice-renderer.service';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink';

const config = {
  MAIL_FROM: 'Export Compliance <notices@vendor.example>',
  MAIL_DOMAIN: 'vendor.example',
  SUPPORT_EMAIL: 's@vendor.example',
};
let renderer: NoticeRenderer;
let a: SmtpSink;
let b: SmtpSink;
const open: MailTransportService[] = [];

beforeAll(async () => {
  renderer = NoticeRenderer.load(join(__dirname, '..', '..', 'templates'));
  [a, b] = await Promise.all([startSmtpSink(), startSmtpSink()]);
});
afterAll(async () => {
  await Promise.all(open.map((t) => t.close()));
  await Promise.all([a.close(), b.close()]);
});
beforeEach(async () => {
  a.clear();
  b.clear();
  await a.up();
});

function transport(smtpUrl: string, setAsideMs = 400): MailTransportService {
  const t = MailTransportService.create({
    SMTP_URL: smtpUrl,
    OUTBOX_DIR: 'unused',
    SMTP_FAILURES_TO_SET_ASIDE: 2,
    SMTP_SET_ASIDE_MS: setAsideMs,
  });
  open.push(t);
  return t;
}

function message(id: string, summary?: string) {
  const base = sampleRenderInput('suspended', 'developer');
  const input = { ...base, noticeId: id, event: { ...base.event, summary: summary ?? base.event.summary } };
  return buildMailMessage(input, renderer.render(input), config);
}

const ids = (sink: SmtpSink) => sink.messages.map((m) => m.messageId);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('several SMTP providers', () => {
  it('goes through the second while the first is down or answers 451, and back to the first once it is back', async () => {
    const t = transport(`${a.url},${b.url}`);
    const providerA = `127.0.0.1:${a.port}`;
    const providerB = `127.0.0.1:${b.port}`;
    const sent: string[] = [];
    const send = async (id: string) => {
      const res = await t.send(message(id));
      sent.push(id);
      return res.provider;
    };

    await a.down();
    for (let i = 0; i < 6; i++) expect(await send(`down-${i}`)).toBe(providerB);
    expect(t.providerStates()).toEqual([
      { provider: providerA, state: 'open' },
      { provider: providerB, state: 'closed' },
    ]);

    await a.up();
    a.rejectRecipient(/.*/, 451, 'Greylisted, try again later');
    await sleep(450);
    for (let i = 0; i < 6; i++) expect(await send(`451-${i}`)).toBe(providerB);
    expect(a.messages).toHaveLength(0);
    expect(t.providerStates()[0].state).toBe('open');

    a.clear();
    await sleep(450);
    const back = [];
    for (let i = 0; i < 6; i++) back.push(await send(`back-${i}`));
    expect(back).toEqual(Array(6).fill(providerA));
    expect(t.providerStates()[0].state).toBe('closed');

    // Every message arrived exactly once, at one of the two.
    const received = [...ids(a), ...ids(b)].map((m) => m.replace(/^<notice-|@.*$/g, ''));
    expect(received.sort()).toEqual([...sent].sort());
    expect(ids(b)).toHaveLength(12);
  });

  it('a 5xx from the first provider fails the message at once, without trying the next', async () => {
    const t = transport(`${a.url},${b.url}`);
    a.rejectRecipient(/.*/, 550, 'No such user');
    await expect(t.send(message('bad-1'))).rejects.toMatchObject({
      name: 'SmtpPermanentError',
      code: 550,
      provider: `127.0.0.1:${a.port}`,
    });
    expect(b.messages).toHaveLength(0);
    expect(t.providerStates()[0].state).toBe('closed');
  });

  it('holds each provider to its own rate and passes the overflow to the next', async () => {
    const t = transport(`${a.url}?rate=3,${b.url}`);
    const started = Date.now();
    const providers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => t.send(message(`rate-${i}`)).then((r) => r.provider)),
    );
    const seconds = Math.ceil((Date.now() - started) / 1000) + 1;
    const viaA = providers.filter((p) => p === `127.0.0.1:${a.port}`).length;
    expect(viaA).toBeGreaterThanOrEqual(1);
    expect(viaA).toBeLessThanOrEqual(3 * seconds);
    expect(a.messages.length + b.messages.length).toBe(12);
  });

  it('does not send a message larger than a provider takes through it', async () => {
    const t = transport(`${a.url}?maxMessageBytes=20000,${b.url}`);
    const big = 'A long summary line that repeats. '.repeat(2000);
    expect((await t.send(message('small-1'))).provider).toBe(`127.0.0.1:${a.port}`);
    expect((await t.send(message('big-1', big))).provider).toBe(`127.0.0.1:${b.port}`);
    expect(ids(a)).toEqual(['<notice-small-1@vendor.example>']);
    expect(b.messages[0].messageId).toBe('<notice-big-1@vendor.example>');
    expect(b.messages[0].subject).toBe(a.messages[0].subject);
    expect(b.messages[0].envelope.to).toEqual([sampleRenderInput('suspended', 'developer').recipient.email]);

    const tiny = transport(`${a.url}?maxMessageBytes=2000`);
    const err = await tiny.send(message('big-2', big)).catch((e) => e);
    expect(err).toBeInstanceOf(SmtpPermanentError);
    expect(err.errorCode).toBe('EMESSAGESIZE');
  });
});
