// The raw baseline: Nodemailer's pooled SMTP transport sending already-rendered notices of the benchmark
// event from a bare loop, with the same pool settings and in-flight count as the service. Prints one JSON line.
// argv: eventPk total [default|service]: `default` lets Nodemailer choose the transfer encoding (quoted-printable
// for these mails), `service` keeps the message options exactly as the service builds them (base64).
import 'reflect-metadata';
import { createTransport } from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import { Client } from 'pg';
import { loadConfig } from '../src/config/app-config';
import { buildMailMessage } from '../src/notices/channels/email/mail-message.builder';
import { SMTP_POOL_DEFAULTS } from '../src/notices/channels/email/mail-transport.service';
import { renderInput, statusUrl } from '../src/notices/rendering/notice-input.factory';
import { NoticeRenderer } from '../src/notices/rendering/notice-renderer.service';

const DISTINCT = 2000;
const IN_FLIGHT = 32;

async function main(): Promise<void> {
  const [eventPk, total, encoding] = [process.argv[2], Number(process.argv[3]), process.argv[4] ?? 'default'];
  const config = loadConfig();
  const pg = new Client({ connectionString: config.DATABASE_URL });
  await pg.connect();
  const [{ payload }] = (await pg.query(`SELECT payload FROM events WHERE id = $1`, [eventPk])).rows;
  const products = Object.fromEntries(
    (await pg.query(`SELECT code, name, category FROM products`)).rows.map((r) => [
      r.code,
      { name: r.name, category: r.category },
    ]),
  );
  const rows = (
    await pg.query(
      `SELECT n.id, n.event_pk, n.kind, n.tier, n.email, n.name, n.locale, n.is_test, n.attempts, n.customer_id, n.digest_for,
              cu.ref, cu.name AS customer_name, cu.country, cu.am_email, cu.am_name, ec.affected, ec.added, ec.removed
         FROM notices n JOIN customers cu ON cu.id = n.customer_id
         JOIN event_customers ec ON ec.event_pk = n.event_pk AND ec.customer_id = n.customer_id
        WHERE n.event_pk = $1 ORDER BY n.id LIMIT $2`,
      [eventPk, DISTINCT],
    )
  ).rows;
  await pg.end();
  const renderer = NoticeRenderer.load(config.TEMPLATES_DIR);
  const ctx = { eventPk, event: payload, products, statusUrl: statusUrl(config.PUBLIC_BASE_URL, payload.caseId) };
  const messages = rows.map((n) => {
    const input = renderInput(ctx, n, null);
    // Handed to Nodemailer as message options, so MailComposer builds each send as it would without the service.
    const message: Mail.Options = buildMailMessage(input, renderer.render(input), config);
    if (encoding === 'default') delete message.textEncoding;
    return message;
  });

  const transport = createTransport({ ...SMTP_POOL_DEFAULTS, pool: true, url: config.SMTP_URL });
  let next = 0;
  let failed = 0;
  const started = process.hrtime.bigint();
  const lane = async () => {
    for (;;) {
      const i = next++;
      if (i >= total) return;
      try {
        await transport.sendMail(messages[i % messages.length]);
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  transport.close();
  process.stdout.write(
    `${JSON.stringify({ encoding, sent: total - failed, failed, seconds, perSecond: (total - failed) / seconds, distinct: messages.length })}\n`,
  );
}

main().catch((e) => {
  process.stderr.write(`raw sender failed: ${(e as Error).stack}\n`);
  process.exit(1);
});
