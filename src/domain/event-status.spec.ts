import { EVENT_STATUSES, type EventStatus } from './event.types';
import {
  FINISHED_EVENT_STATUSES,
  isFinished,
  OUTREACH_ACTIONS,
  outreachTarget,
  statusAfterApply,
  type OutreachAction,
} from './event-status';

/** Every (action, status) pair that is allowed, with where it leads; any pair not listed is refused. */
const ALLOWED: Record<OutreachAction, Partial<Record<EventStatus, EventStatus>>> = {
  approve: { awaiting_review: 'dispatching' },
  pause: { dispatching: 'paused' },
  resume: { paused: 'dispatching' },
  cancel: { awaiting_review: 'cancelled', dispatching: 'cancelled', paused: 'cancelled' },
  'retry-failed': { dispatching: 'dispatching', paused: 'paused', completed: 'dispatching' },
};

describe('outreach transitions', () => {
  for (const action of OUTREACH_ACTIONS) {
    for (const status of EVENT_STATUSES) {
      const to = ALLOWED[action][status] ?? null;
      it(`${action} from ${status}: ${to ?? 'refused'}`, () => {
        expect(outreachTarget(action, status)).toBe(to);
      });
    }
  }

  it('never acts on an event still being applied, or one rejected or cancelled', () => {
    for (const action of OUTREACH_ACTIONS) {
      for (const status of ['received', 'rejected', 'cancelled'] as const)
        expect(outreachTarget(action, status)).toBeNull();
    }
  });
});

describe('finished statuses', () => {
  it('are completed, cancelled and rejected', () => {
    expect([...FINISHED_EVENT_STATUSES].sort()).toEqual(['cancelled', 'completed', 'rejected']);
    expect(EVENT_STATUSES.filter(isFinished)).toEqual(['rejected', 'completed', 'cancelled']);
  });

  it('include no status that still sends or waits for support', () => {
    for (const s of ['received', 'awaiting_review', 'dispatching', 'paused'] as const)
      expect(isFinished(s)).toBe(false);
  });
});

describe('statusAfterApply', () => {
  it('completes an event with no notices, whatever its dispatch', () => {
    expect(statusAfterApply(0, 'auto')).toBe('completed');
    expect(statusAfterApply(0, 'review')).toBe('completed');
  });

  it('sends at once with auto dispatch and waits for review otherwise', () => {
    expect(statusAfterApply(3, 'auto')).toBe('dispatching');
    expect(statusAfterApply(3, 'review')).toBe('awaiting_review');
  });
});
