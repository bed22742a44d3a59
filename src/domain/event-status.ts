// The event state machine (SPEC §3 and §5): the status an applied event starts in, support's outreach transitions,
// and the statuses in which an event is finished. Services, SQL (as parameters), pages and the page script read it here.
import type { DispatchMode } from '../config/app-config';
import type { EventStatus } from './event.types';

export const OUTREACH_ACTIONS = ['approve', 'pause', 'resume', 'cancel', 'retry-failed'] as const;
export type OutreachAction = (typeof OUTREACH_ACTIONS)[number];

export interface OutreachTransition {
  /** The statuses the action applies to. */
  from: readonly EventStatus[];
  /** The status it leaves the event in, given the one it found. */
  to: (current: EventStatus) => EventStatus;
}

export const OUTREACH_TRANSITIONS: Readonly<Record<OutreachAction, OutreachTransition>> = {
  approve: { from: ['awaiting_review'], to: () => 'dispatching' },
  pause: { from: ['dispatching'], to: () => 'paused' },
  resume: { from: ['paused'], to: () => 'dispatching' },
  cancel: { from: ['awaiting_review', 'dispatching', 'paused'], to: () => 'cancelled' },
  // A paused event stays paused: its failed notices wait with the rest until support resumes.
  'retry-failed': {
    from: ['dispatching', 'paused', 'completed'],
    to: (current) => (current === 'paused' ? 'paused' : 'dispatching'),
  },
};

/** Where `action` takes an event that is `current`, or null when the action does not apply to it. */
export function outreachTarget(action: OutreachAction, current: EventStatus): EventStatus | null {
  const t = OUTREACH_TRANSITIONS[action];
  return t.from.includes(current) ? t.to(current) : null;
}

/**
 * Statuses in which nothing more happens to an event unless support acts (retry-failed takes a completed event back
 * to dispatching): the event has a finished_at, and its page stops polling for progress.
 */
export const FINISHED_EVENT_STATUSES: readonly EventStatus[] = ['completed', 'cancelled', 'rejected'];

export function isFinished(status: EventStatus): boolean {
  return FINISHED_EVENT_STATUSES.includes(status);
}

/**
 * The status an event takes once applied, given how many notices and webhook deliveries it planned: with nothing to
 * send it is done at once, else it sends or waits for review.
 */
export function statusAfterApply(deliveries: number, dispatch: DispatchMode): EventStatus {
  if (deliveries === 0) return 'completed';
  return dispatch === 'auto' ? 'dispatching' : 'awaiting_review';
}
