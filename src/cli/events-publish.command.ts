import { InjectQueue } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { readFileSync } from 'node:fs';
import { Command, CommandRunner } from 'nest-commander';
import { QueueName } from '../domain/queue.types';

/** Reads one event object, a JSON array of events, or JSON Lines. */
export function readEvents(file: string): unknown[] {
  const text = readFileSync(file, 'utf8').trim();
  if (!text) throw new Error(`${file} is empty`);
  try {
    const parsed = JSON.parse(text);
    return Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    return text
      .split(/\r?\n/)
      .filter((l) => l.trim())
      .map((line, i) => {
        try {
          return JSON.parse(line);
        } catch (e) {
          throw new Error(`${file} line ${i + 1}: not JSON (${(e as Error).message})`, { cause: e });
        }
      });
  }
}

@Command({
  name: 'events:publish',
  arguments: '<file>',
  description: 'Put the event(s) of FILE on the suspension-events queue, as an upstream system would (jobId = eventId)',
})
export class EventsPublishCommand extends CommandRunner {
  constructor(@InjectQueue(QueueName.SuspensionEvents) private readonly queue: Queue) {
    super();
  }

  async run([file]: string[]): Promise<void> {
    const events = readEvents(file);
    for (const e of events) {
      const id = (e as { eventId?: unknown })?.eventId;
      const job = await this.queue.add('event', e, typeof id === 'string' && id ? { jobId: id } : {});
      process.stdout.write(`published ${typeof id === 'string' ? id : '(no eventId)'} as job ${job.id}\n`);
    }
    process.stdout.write(
      `${events.length} event(s) on queue "${QueueName.SuspensionEvents}"; follow them with GET /api/v1/events\n`,
    );
  }
}
