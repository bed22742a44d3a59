// The suspension event contract (SPEC §3), declared once.
import type { DispatchMode } from '../config/app-config';
import type { Tier } from './registry.types';

export const EVENT_TYPES = [
  'suspension.issued',
  'suspension.updated',
  'license.granted',
  'license.denied',
  'suspension.lifted',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const EVENT_STATUSES = [
  'received',
  'rejected',
  'awaiting_review',
  'dispatching',
  'paused',
  'completed',
  'cancelled',
] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

/** A case is open from its suspension.issued until its suspension.lifted. */
export type CaseStatus = 'open' | 'closed';

export const EVENT_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface EventScope {
  products: string[];
  regions: string[];
  excludeRegions: string[];
  excludeProducts: string[];
  tiers: Tier[];
}

/** A validated, normalised event: defaults filled in, codes checked against the registry. */
export interface SuspensionEvent {
  eventId: string;
  caseId: string;
  type: EventType;
  occurredAt: string;
  effectiveAt: string;
  authority: string | null;
  title: string;
  summary: string;
  scope: EventScope | null;
  conditions: string[];
  dispatch: DispatchMode;
}
