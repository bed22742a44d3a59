import { EVENT_TYPES, type CaseStatus, type EventType } from '../domain/event.types';
import { lifecycleProblems } from './case-lifecycle.rules';

const FOLLOW_UPS = EVENT_TYPES.filter((t) => t !== 'suspension.issued');
const STATES: (CaseStatus | null)[] = [null, 'open', 'closed'];

/** Whether an event of each type applies to an unknown, an open and a closed case (SPEC §3). */
const ACCEPTS: Record<EventType, [unknown: boolean, open: boolean, closed: boolean]> = {
  'suspension.issued': [true, false, true],
  'suspension.updated': [false, true, false],
  'license.granted': [false, true, false],
  'license.denied': [false, true, false],
  'suspension.lifted': [false, true, false],
};

describe('lifecycleProblems', () => {
  for (const type of EVENT_TYPES) {
    STATES.forEach((status, i) => {
      const accepted = ACCEPTS[type][i];
      it(`${accepted ? 'accepts' : 'rejects'} ${type} for ${status ?? 'an unknown'} case`, () => {
        expect(lifecycleProblems(type, 'case-1', status)).toHaveLength(accepted ? 0 : 1);
      });
    });
  }

  it('rejects suspension.issued for an open case, pointing to suspension.updated', () => {
    expect(lifecycleProblems('suspension.issued', 'case-1', 'open')).toEqual([
      'type: suspension.issued for case "case-1", which is already open (use suspension.updated)',
    ]);
  });

  it('says why a follow-up cannot apply to an unknown or a closed case', () => {
    for (const type of FOLLOW_UPS) {
      expect(lifecycleProblems(type, 'case-1', null)).toEqual([
        `caseId: "case-1" is not a known case; ${type} needs a case opened by suspension.issued`,
      ]);
      expect(lifecycleProblems(type, 'case-1', 'closed')).toEqual([
        `caseId: case "case-1" is closed; ${type} cannot apply to it`,
      ]);
    }
  });
});
