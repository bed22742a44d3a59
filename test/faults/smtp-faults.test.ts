// The SMTP server down, answering 4xx or 5xx, or refusing some recipients: retried, failed or recorded per notice.
import { useFaultHarness } from '../support/fault-harness';
import { bulkEvent } from '../support/faults';
import { waitFor } from '../support/service-process';

const CONTACTS = 10;
const MAX_ATTEMPTS = 6;

describe('faults: SMTP down, 4xx and 5xx replies', () => {
  const h = useFaultHarness('faults-smtp', {
    customers: CONTACTS,
    inProcess: true,
    env: { MAIL_RETRY_BASE_MS: '200', RECONCILE_INTERVAL_MS: '200', MAIL_MAX_ATTEMPTS: String(MAX_ATTEMPTS) },
  });
  const rows = (eventId: string) =>
    h.rows(
      `SELECT n.email, n.status, n.attempts, n.last_code, n.last_reply FROM notices n JOIN events e ON e.id = n.event_pk
        WHERE e.event_id = $1 ORDER BY n.email`,
      [eventId],
    );

  it('keeps notices retrying while the server is down, fails none before MAIL_MAX_ATTEMPTS, sends all when it is back', async () => {
    await h.sink.down();
    await h.publish(bulkEvent('down-1'));
    // Every notice has failed at least twice against the closed port, and waits in `retrying`.
    await waitFor(
      'notices retrying',
      async () => {
        const r = await rows('down-1');
        return r.length === CONTACTS && r.every((n) => n.status === 'retrying' && n.attempts >= 2) ? r : undefined;
      },
      20_000,
    );
    const during = await h.tally('down-1');
    expect(during.byStatus.failed ?? 0).toBe(0);
    await h.sink.up();
    const done = await h.waitForCompleted('down-1', 30_000);
    expect(done.byStatus).toEqual({ sent: CONTACTS });
    const r = await rows('down-1');
    expect(r.every((n) => n.attempts >= 2 && n.attempts <= MAX_ATTEMPTS)).toBe(true);
    expect(new Set(h.sink.messages.map((m) => m.messageId)).size).toBe(CONTACTS);
    expect(h.sink.messages.length).toBe(CONTACTS);
  });

  it('fails at MAIL_MAX_ATTEMPTS, not before, when the server never comes back', async () => {
    h.sink.clear();
    h.sink.rejectRecipient('c1@f.example', 451, '4.3.0 Try again later');
    await h.publish({ ...bulkEvent('max-1', 'case-down-1'), type: 'license.denied' });
    await h.waitForCompleted('max-1', 30_000);
    const r = await rows('max-1');
    expect(r.find((n) => n.email === 'c1@f.example')).toMatchObject({
      status: 'failed',
      attempts: MAX_ATTEMPTS,
      last_code: 451,
    });
    expect(r.filter((n) => n.status === 'sent').length).toBe(CONTACTS - 1);
    expect(h.sink.transactions.filter((x) => x.message.envelope.to.includes('c1@f.example')).length).toBe(0); // refused at RCPT
  });

  it('retries 421, 451 and 452 with the same Message-ID; fails 550 and 553 at once with the reply kept, per recipient', async () => {
    h.sink.clear();
    h.sink.reply('data', 421, '4.7.0 Too busy, come back later');
    h.sink.reply('data', 451, '4.3.0 Local error');
    h.sink.rejectRecipient('c2@f.example', 550, '5.1.1 No such user here');
    h.sink.rejectRecipient('c3@f.example', 553, '5.1.3 Mailbox name not allowed');
    let refused452 = false;
    h.sink.rejectRecipient(
      (a) => a === 'c4@f.example' && !refused452 && (refused452 = true),
      452,
      '4.2.2 Mailbox full',
    );
    await h.publish({ ...bulkEvent('codes-1', 'case-down-1'), type: 'suspension.lifted', scope: undefined });
    await h.waitForCompleted('codes-1', 30_000);
    const r = await rows('codes-1');
    const by = (email: string) => r.find((n) => n.email === email);
    expect(by('c2@f.example')).toMatchObject({ status: 'failed', attempts: 1, last_code: 550 });
    expect(by('c2@f.example').last_reply).toMatch(/No such user here/);
    expect(by('c3@f.example')).toMatchObject({ status: 'failed', attempts: 1, last_code: 553 });
    expect(by('c3@f.example').last_reply).toMatch(/Mailbox name not allowed/);
    expect(by('c4@f.example')).toMatchObject({ status: 'sent', attempts: 2 });
    // The other recipients of the same server were accepted and are recorded as sent, each on its own.
    expect(r.filter((n) => n.status === 'sent').length).toBe(CONTACTS - 2);
    // The 421 and the 451 each cost one notice one more attempt, and the retry carried the same Message-ID.
    expect(r.filter((n) => n.attempts === 2).length).toBe(3);
    for (const code of [421, 451]) {
      const refused = h.sink.transactions.find((x) => x.reply.code === code)!;
      expect(h.sink.messages.filter((m) => m.messageId === refused.message.messageId).length).toBe(1);
    }
    expect(new Set(h.sink.messages.map((m) => m.messageId)).size).toBe(h.sink.messages.length);
  });
});
