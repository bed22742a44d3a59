/**
 * An in-process SMTP server for tests: records what it receives and answers what it is told to.
 *
 *   const sink = await startSmtpSink();          // listens on 127.0.0.1, a free port
 *   process.env.SMTP_URL = sink.url;             // 'smtp://127.0.0.1:<port>' (no TLS, no AUTH)
 *   ...send mail...
 *   const [mail] = await sink.waitForMessages(1);  // resolves once ≥ 1 accepted; rejects after a timeout
 *   mail.envelope.from, mail.envelope.to         // SMTP envelope (MAIL FROM / RCPT TO addresses)
 *   mail.raw                                     // the exact bytes received (Buffer, CRLF line ends)
 *   mail.header('x-case-id'), mail.headers       // lowercase names; values unfolded, RFC 2047 words decoded
 *   mail.subject, mail.messageId, mail.html, mail.text   // decoded parts (null when absent)
 *
 * Replies (each queued reply is used once, in order, by the next command of that stage; then 250 again):
 *   sink.reply('data', 451, '4.3.0 Try again later')    // next message refused with 451 after DATA
 *   sink.reply('data', 550), sink.reply('rcpt', 452), sink.reply('mail', 421), sink.reply('connect', 421)
 *   sink.rejectRecipient('bad@x.example', 550, 'No such user')   // every RCPT TO for it (string, RegExp or predicate)
 *   await sink.down()   // stop listening and drop open connections: clients get ECONNREFUSED / connection errors
 *   await sink.up()     // listen again on the same port
 *
 * Bookkeeping: sink.messages (accepted only), sink.transactions (every DATA, with the reply given),
 * sink.connectionCount (TCP connections accepted so far), sink.clear() (forget messages, replies and rules).
 * Always `await sink.close()` in afterAll, or Jest will not exit.
 */
import { EventEmitter } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';

export type SinkStage = 'connect' | 'mail' | 'rcpt' | 'data';

export interface SinkReply {
  code: number;
  message: string;
}

export interface SinkMessage {
  envelope: { from: string; to: string[] };
  raw: Buffer;
  /** Header name (lowercase) → every value, unfolded and with encoded words decoded. */
  headers: Map<string, string[]>;
  header(name: string): string | undefined;
  subject: string;
  messageId: string;
  html: string | null;
  text: string | null;
  receivedAt: Date;
}

export interface SinkTransaction {
  message: SinkMessage;
  reply: SinkReply;
}

type RecipientMatcher = string | RegExp | ((address: string) => boolean);

export interface SmtpSink {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  readonly messages: SinkMessage[];
  readonly transactions: SinkTransaction[];
  readonly connectionCount: number;
  reply(stage: SinkStage, code: number, message?: string): void;
  rejectRecipient(match: RecipientMatcher, code?: number, message?: string): void;
  waitForMessages(count: number, timeoutMs?: number): Promise<SinkMessage[]>;
  down(): Promise<void>;
  up(): Promise<void>;
  clear(): void;
  close(): Promise<void>;
}

function smtpError(reply: SinkReply): Error & { responseCode: number } {
  return Object.assign(new Error(reply.message), { responseCode: reply.code });
}

export async function startSmtpSink(options: { host?: string; port?: number } = {}): Promise<SmtpSink> {
  const host = options.host ?? '127.0.0.1';
  const messages: SinkMessage[] = [];
  const transactions: SinkTransaction[] = [];
  const queues: Record<SinkStage, SinkReply[]> = { connect: [], mail: [], rcpt: [], data: [] };
  const recipientRules: { match: RecipientMatcher; reply: SinkReply }[] = [];
  const sockets = new Set<Socket>();
  const events = new EventEmitter();
  let connectionCount = 0;
  let listening = false;

  const next = (stage: SinkStage): SinkReply | undefined => queues[stage].shift();
  const refuse = (stage: SinkStage, callback: (err?: Error | null) => void) => {
    const reply = next(stage);
    if (reply && reply.code >= 400) return callback(smtpError(reply));
    callback();
  };

  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    hideSTARTTLS: true,
    closeTimeout: 100,
    onConnect(_session: SMTPServerSession, callback: (err?: Error | null) => void) {
      refuse('connect', callback);
    },
    onMailFrom(_address: SMTPServerAddress, _session: SMTPServerSession, callback: (err?: Error | null) => void) {
      refuse('mail', callback);
    },
    onRcptTo(address: SMTPServerAddress, _session: SMTPServerSession, callback: (err?: Error | null) => void) {
      const rule = recipientRules.find(({ match }) =>
        typeof match === 'string'
          ? match.toLowerCase() === address.address.toLowerCase()
          : match instanceof RegExp
            ? match.test(address.address)
            : match(address.address),
      );
      if (rule) return callback(smtpError(rule.reply));
      refuse('rcpt', callback);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const message = parseMessage(Buffer.concat(chunks), {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
        });
        const reply = next('data') ?? { code: 250, message: 'OK: message queued' };
        transactions.push({ message, reply });
        if (reply.code >= 400) return callback(smtpError(reply));
        messages.push(message);
        events.emit('message');
        callback(null, reply.message);
      });
    },
  });
  server.on('error', () => undefined);
  server.server.on('connection', (socket: Socket) => {
    connectionCount++;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(port, host, () => {
        server.server.off('error', reject);
        listening = true;
        resolve((server.server.address() as AddressInfo).port);
      });
    });
  const stopListening = () =>
    new Promise<void>((resolve) => {
      if (!listening) return resolve();
      listening = false;
      server.server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });

  const port = await listen(options.port ?? 0);

  return {
    host,
    port,
    url: `smtp://${host}:${port}`,
    messages,
    transactions,
    get connectionCount() {
      return connectionCount;
    },
    reply(stage, code, message) {
      queues[stage].push({
        code,
        message: message ?? (code >= 500 ? 'Error: refused' : code >= 400 ? 'Try again later' : 'OK'),
      });
    },
    rejectRecipient(match, code = 550, message = 'No such user') {
      recipientRules.push({ match, reply: { code, message } });
    },
    waitForMessages(count, timeoutMs = 10_000) {
      if (messages.length >= count) return Promise.resolve(messages.slice());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          events.off('message', check);
          reject(new Error(`smtp sink: expected ${count} messages, got ${messages.length} within ${timeoutMs} ms`));
        }, timeoutMs);
        function check() {
          if (messages.length < count) return;
          clearTimeout(timer);
          events.off('message', check);
          resolve(messages.slice());
        }
        events.on('message', check);
      });
    },
    down: stopListening,
    async up() {
      if (!listening) await listen(port);
    },
    clear() {
      messages.length = 0;
      transactions.length = 0;
      recipientRules.length = 0;
      for (const q of Object.values(queues)) q.length = 0;
    },
    async close() {
      await stopListening();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ---- A small MIME reader: enough for the messages Nodemailer builds (multipart, QP/base64, UTF-8, RFC 2047). ----

interface Part {
  headers: Map<string, string[]>;
  body: Buffer;
}

function splitHeaders(raw: Buffer): Part {
  const at = raw.indexOf('\r\n\r\n');
  const head = (at < 0 ? raw : raw.subarray(0, at)).toString('latin1');
  const body = at < 0 ? Buffer.alloc(0) : raw.subarray(at + 4);
  const headers = new Map<string, string[]>();
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = decodeWords(Buffer.from(line.slice(colon + 1).trim(), 'latin1').toString('utf8'));
    headers.set(name, [...(headers.get(name) ?? []), value]);
  }
  return { headers, body };
}

function decodeWords(value: string): string {
  return value
    .replace(/(=\?[^?]+\?[QqBb]\?[^?]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_m, charset: string, enc: string, data: string) => {
      const bytes =
        enc.toUpperCase() === 'B'
          ? Buffer.from(data, 'base64')
          : Buffer.from(
              data
                .replace(/_/g, ' ')
                .replace(/=([0-9A-Fa-f]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16))),
              'latin1',
            );
      return new TextDecoder(charset.toLowerCase() === 'utf-8' ? 'utf-8' : charset).decode(bytes);
    });
}

function param(value: string, name: string): string | null {
  const m = new RegExp(`;\\s*${name}="?([^";]+)"?`, 'i').exec(value);
  return m ? m[1] : null;
}

function decodeBody(part: Part): string {
  const encoding = (part.headers.get('content-transfer-encoding')?.[0] ?? '7bit').toLowerCase();
  const charset = param(part.headers.get('content-type')?.[0] ?? '', 'charset') ?? 'utf-8';
  let bytes: Buffer;
  if (encoding === 'base64') bytes = Buffer.from(part.body.toString('latin1').replace(/\s+/g, ''), 'base64');
  else if (encoding === 'quoted-printable') {
    const qp = part.body
      .toString('latin1')
      .replace(/=\r\n/g, '')
      .replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
    bytes = Buffer.from(qp, 'latin1');
  } else bytes = part.body;
  return new TextDecoder(charset.toLowerCase()).decode(bytes);
}

function leaves(part: Part, out: Part[]): void {
  const type = part.headers.get('content-type')?.[0] ?? 'text/plain';
  const boundary = /^multipart\//i.test(type) ? param(type, 'boundary') : null;
  if (!boundary) {
    out.push(part);
    return;
  }
  const body = part.body.toString('latin1');
  const sections = body.split(`--${boundary}`).slice(1);
  for (const section of sections) {
    if (section.startsWith('--')) break;
    leaves(splitHeaders(Buffer.from(section.replace(/^\r\n/, '').replace(/\r\n$/, ''), 'latin1')), out);
  }
}

/** Parses raw RFC 5322 bytes (exported for tests that read .eml files from the outbox). */
export function parseMessage(
  raw: Buffer,
  envelope: { from: string; to: string[] } = { from: '', to: [] },
): SinkMessage {
  const root = splitHeaders(raw);
  const parts: Part[] = [];
  leaves(root, parts);
  const find = (type: string) => {
    const p = parts.find((x) => (x.headers.get('content-type')?.[0] ?? 'text/plain').toLowerCase().startsWith(type));
    return p ? decodeBody(p) : null;
  };
  const header = (name: string) => root.headers.get(name.toLowerCase())?.[0];
  return {
    envelope,
    raw,
    headers: root.headers,
    header,
    subject: header('subject') ?? '',
    messageId: header('message-id') ?? '',
    html: find('text/html'),
    text: find('text/plain'),
    receivedAt: new Date(),
  };
}
