// Which event types a case accepts in which state (SPEC §3): suspension.issued opens a case that is not open; every
// other type needs an open case. Pure, so the applier and the preview share it and a spec pins it down.
import type { CaseStatus, EventType } from '../domain/event.types';

/** The reasons an event of `type` cannot apply to case `caseId` in `status` (null: no such case); empty when it can. */
export function lifecycleProblems(type: EventType, caseId: string, status: CaseStatus | null): string[] {
  if (type === 'suspension.issued') {
    return status === 'open'
      ? [`type: suspension.issued for case "${caseId}", which is already open (use suspension.updated)`]
      : [];
  }
  if (status === null)
    return [`caseId: "${caseId}" is not a known case; ${type} needs a case opened by suspension.issued`];
  if (status === 'closed') return [`caseId: case "${caseId}" is closed; ${type} cannot apply to it`];
  return [];
}
