// Publishing events the way an upstream system does, and waiting for the service to take them in.
import { Queue } from 'bullmq';
import { QueueName } from '../../src/domain/queue.types';
import { api } from './app';
import { TEST_REDIS_URL } from './redis';
import { waitFor } from './service-process';

export function eventsQueue(prefix: string): Queue {
  const url = new URL(TEST_REDIS_URL);
  return new Queue(QueueName.SuspensionEvents, {
    connection: { host: url.hostname, port: Number(url.port || 6379) },
    prefix,
  });
}

export const BASE_EVENT = {
  occurredAt: '2026-11-26T09:00:00Z',
  authority: 'U.S. Department of Commerce, Bureau of Industry and Security',
  title: 'Exports of AI models halted pending national security review',
  summary: 'Plain text shown in every notice of this event.',
  dispatch: 'review',
};

/** Waits until the event has left `received` (applied or rejected); returns its API view. */
export async function waitForEvent(url: string, token: string, eventId: string, timeoutMs = 20_000): Promise<any> {
  return waitFor(
    `event ${eventId} to be applied`,
    async () => {
      const res = await api(url, 'GET', `/api/v1/events/${encodeURIComponent(eventId)}`, { token });
      return res.status === 200 && res.body.status !== 'received' ? res.body : undefined;
    },
    timeoutMs,
  );
}

/** Posts the event to the API (202 expected) and waits until it reaches `status`; returns its API view. */
export async function postEventAndWait(
  url: string,
  token: string,
  event: Record<string, unknown>,
  status = 'completed',
  timeoutMs = 30_000,
): Promise<any> {
  const res = await api(url, 'POST', '/api/v1/events', { token, body: event });
  if (res.status !== 202) throw new Error(`POST /api/v1/events answered ${res.status}: ${JSON.stringify(res.body)}`);
  const id = encodeURIComponent(String(event.eventId));
  return waitFor(
    `event ${event.eventId} ${status}`,
    async () => {
      const r = await api(url, 'GET', `/api/v1/events/${id}`, { token });
      return r.body.status === status ? r.body : undefined;
    },
    timeoutMs,
  );
}
