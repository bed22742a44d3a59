// Micro-benchmark of message building alone: the same rendered notices encoded N times by MailComposer (what
// Nodemailer does per send given message options) and by buildRawMessage. Prints µs per message (wall and CPU).
// `npm run -s build && node dist/bench/message-build.js [N=5000]`
import { join } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer';
import { buildMailMessage, type NoticeMail } from '../src/notices/channels/email/mail-message.builder';
import { buildRawMessage } from '../src/notices/channels/email/raw-message.builder';
import { sampleRenderInput } from '../src/notices/rendering/notice-renderer.sample';
import { NoticeRenderer } from '../src/notices/rendering/notice-renderer.service';
import type { NoticeKind } from '../src/domain/notice.types';
import type { Tier } from '../src/domain/registry.types';

const N = Number(process.argv[2] ?? 5000);
const config = {
  MAIL_FROM: 'Export Compliance <notices@vendor.example>',
  MAIL_DOMAIN: 'vendor.example',
  SUPPORT_EMAIL: 'support@vendor.example',
};

function messages(): NoticeMail[] {
  const renderer = NoticeRenderer.load(join(__dirname, '..', '..', 'templates'));
  const kinds: [NoticeKind, Tier][] = [
    ['suspended', 'developer'],
    ['suspended', 'enterprise'],
    ['updated', 'enterprise'],
    ['restored', 'developer'],
  ];
  const out: NoticeMail[] = [];
  for (const locale of ['en', 'de', 'ja', 'ar', 'zh-Hans', 'fr', 'he', 'ko']) {
    for (const [kind, tier] of kinds) {
      const input = {
        ...sampleRenderInput(kind, tier, locale),
        noticeId: `${kind}-${tier}-${locale}`,
        recipient: { email: 'ops@acme.example', name: locale === 'de' ? 'Jürgen Müller, Einkauf' : 'Acme Operations' },
      };
      out.push(buildMailMessage(input, renderer.render(input), config));
    }
  }
  return out;
}

async function time(label: string, build: (m: NoticeMail) => Buffer | Promise<Buffer>, all: NoticeMail[]) {
  let bytes = 0;
  for (let i = 0; i < 500; i++) bytes += (await build(all[i % all.length])).length; // warm-up
  bytes = 0;
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let i = 0; i < N; i++) bytes += (await build(all[i % all.length])).length;
  const wallUs = Number(process.hrtime.bigint() - started) / 1e3 / N;
  const used = process.cpuUsage(cpu);
  const cpuUs = (used.user + used.system) / N;
  process.stdout.write(
    `${label.padEnd(16)} ${wallUs.toFixed(1).padStart(7)} µs/message wall, ${cpuUs.toFixed(1).padStart(7)} µs CPU, ${Math.round(bytes / N)} bytes\n`,
  );
  return wallUs;
}

async function main(): Promise<void> {
  const all = messages();
  process.stdout.write(`${N} messages, ${all.length} distinct notices (4 kinds × tiers, 8 locales)\n`);
  const old = await time('MailComposer', (m) => new MailComposer(m).compile().build(), all);
  const neu = await time('buildRawMessage', (m) => buildRawMessage(m), all);
  process.stdout.write(`speed-up ×${(old / neu).toFixed(1)}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
