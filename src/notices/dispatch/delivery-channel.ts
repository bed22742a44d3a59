// What the one delivery machine asks of a channel (email, webhook): how to load, settle and send one claimed row.
// Claims, leases, lanes, rate permits, fenced outcome writes and completion stay in DeliverySenderService.
import type { DeliveryChannelName } from '../../domain/queue.types';
import type { Outcome, WorkItem, WorkTable } from './delivery-work.repository';

export interface DeliveryChannel<T extends WorkItem = WorkItem, C = unknown> {
  readonly name: DeliveryChannelName;
  /** The table its rows live in. */
  readonly work: WorkTable<T>;
  /** Its sends take MAIL_RATE_PER_SECOND permits (mail only: the limit is the mail providers'). */
  readonly rateLimited: boolean;
  /** What every send of the event needs, loaded once per pump or test send; null when there is no such event. */
  context(eventPk: string): Promise<C | null>;
  /** Outcomes some claimed rows get without being sent (addresses on the suppression list), by row id. */
  settledWithoutSending(batch: readonly T[]): Promise<Map<string, Outcome>>;
  /** Waits for the row's turn when such sends must not overlap (digests); resolves with what ends the turn. */
  turn(item: T): Promise<(() => void) | null>;
  /** Sends one claimed row. Never throws: every failure is an outcome, with a time when it is to be tried again. */
  send(ctx: C, item: T): Promise<Outcome>;
}
