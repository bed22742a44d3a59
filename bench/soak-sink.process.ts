// An SMTP sink for `npm run soak`, run as its own process: accepts everything, keeps only how many times it received
// each Message-ID, and can be taken away (its listener closed, open sessions told 421) and brought back on its port.
// IPC: `stats`, `close`, `open`, `ids` (every Message-ID with its count), `stop`.
import { SMTPServer } from 'smtp-server';

const received = new Map<string, number>();
let count = 0;
let withoutId = 0;
let port = Number(process.argv[2] ?? 0);
let server: SMTPServer | null = null;

const MESSAGE_ID = /^message-id:[ \t]*(<[^>\r\n]+>)/im;
const HEADER_LIMIT = 64 * 1024;

function create(): SMTPServer {
  const s = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    maxClients: 200,
    size: 10 * 1024 * 1024,
    // Taken away means gone: sessions still open a second after the close are told 421 and dropped.
    closeTimeout: 1000,
    onData(stream, _session, callback) {
      let head = '';
      let done = false;
      stream.on('data', (chunk: Buffer) => {
        if (done) return;
        head += chunk.toString('latin1');
        const end = head.indexOf('\r\n\r\n');
        if (end >= 0 || head.length > HEADER_LIMIT) {
          head = end >= 0 ? head.slice(0, end) : head;
          done = true;
        }
      });
      stream.on('end', () => {
        // Headers may be folded onto continuation lines; a Message-ID never is by Nodemailer, but unfold anyway.
        const id = MESSAGE_ID.exec(head.replace(/\r\n[ \t]+/g, ' '))?.[1];
        if (id) received.set(id, (received.get(id) ?? 0) + 1);
        else withoutId++;
        count++;
        callback();
      });
    },
  });
  // A SIGKILLed worker resets its connections: expected here, not worth a line.
  s.on(
    'error',
    (e: NodeJS.ErrnoException) => e.code !== 'ECONNRESET' && process.stderr.write(`soak sink: ${e.message}\n`),
  );
  return s;
}

function open(then: () => void): void {
  server = create();
  server.listen(port, '127.0.0.1', () => {
    const address = server?.server.address();
    port = typeof address === 'object' && address ? address.port : port;
    then();
  });
}

open(() => process.send?.({ type: 'ready', port }));

process.on('message', (m: { type: string }) => {
  const reply = (extra: Record<string, unknown> = {}) => process.send?.({ type: m.type, ...extra });
  if (m.type === 'stats') reply({ count, unique: received.size, withoutId, listening: server !== null });
  if (m.type === 'close') {
    const s = server;
    server = null;
    if (!s) return reply();
    s.close(() => reply());
  }
  if (m.type === 'open') {
    if (server) return reply();
    open(() => reply());
  }
  if (m.type === 'ids') reply({ ids: [...received] });
  if (m.type === 'stop') {
    if (!server) process.exit(0);
    server.close(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));
