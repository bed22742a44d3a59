// A counting SMTP sink run as its own process for the benchmark: accepts everything, keeps nothing,
// answers `stats` requests over IPC with the message count and the time of the first message.
import { SMTPServer } from 'smtp-server';

let count = 0;
let firstAt: number | null = null;
let lastAt: number | null = null;

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  maxClients: 200,
  size: 10 * 1024 * 1024,
  onData(stream, _session, callback) {
    stream.on('data', () => undefined);
    stream.on('end', () => {
      count++;
      const now = Date.now();
      firstAt ??= now;
      lastAt = now;
      callback();
    });
  },
});
server.on('error', (e) => process.stderr.write(`sink: ${e.message}\n`));

server.listen(0, '127.0.0.1', () => {
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.send?.({ type: 'ready', port });
});

process.on('message', (m: { type: string }) => {
  if (m.type === 'stats') process.send?.({ type: 'stats', count, firstAt, lastAt });
  if (m.type === 'reset') {
    count = 0;
    firstAt = null;
    lastAt = null;
    process.send?.({ type: 'reset' });
  }
  if (m.type === 'stop') server.close(() => process.exit(0));
});
