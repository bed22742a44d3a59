// Structural validation of an incoming event: every problem at once, as "field: reason"; no registry look-ups here.
import type { DispatchMode } from '../config/app-config';
import { PRODUCT_CATEGORIES, PRODUCT_CODE, REGION_GROUP_CODE, TIERS, type Tier } from '../domain/registry.types';
import { EVENT_ID, EVENT_TYPES, type EventScope, type EventType, type SuspensionEvent } from '../domain/event.types';

const TOP_FIELDS = new Set([
  'eventId',
  'caseId',
  'type',
  'occurredAt',
  'effectiveAt',
  'authority',
  'title',
  'summary',
  'scope',
  'conditions',
  'dispatch',
]);
const SCOPE_FIELDS = new Set(['products', 'regions', 'excludeRegions', 'excludeProducts', 'tiers']);
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
const MAX_CONDITIONS = 100;
const MAX_CONDITION_LENGTH = 2000;
const MAX_LIST = 1000;

export type ValidationResult =
  | { ok: true; event: SuspensionEvent }
  | { ok: false; reasons: string[]; eventId: string | null; caseId: string | null; type: string | null };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringList(
  value: unknown,
  field: string,
  reasons: string[],
  item: (s: string) => string | null,
  opts: { allowStar: boolean; required: boolean },
): string[] {
  if (value === undefined) {
    if (opts.required) reasons.push(`${field}: is required`);
    return [];
  }
  if (!Array.isArray(value)) {
    reasons.push(`${field}: must be an array of strings`);
    return [];
  }
  if (value.length > MAX_LIST) reasons.push(`${field}: has ${value.length} entries; at most ${MAX_LIST}`);
  const out: string[] = [];
  value.slice(0, MAX_LIST).forEach((v, i) => {
    if (typeof v !== 'string') return reasons.push(`${field}[${i}]: must be a string`);
    if (v === '*') {
      if (!opts.allowStar) return reasons.push(`${field}[${i}]: "*" is not allowed here`);
      return out.push(v);
    }
    const problem = item(v);
    if (problem) return reasons.push(`${field}[${i}]: ${problem}`);
    out.push(v);
  });
  if (opts.required && value.length === 0) reasons.push(`${field}: must not be empty`);
  return [...new Set(out)];
}

export function productSelectorProblem(v: string): string | null {
  if (v.startsWith('category:')) {
    const c = v.slice('category:'.length);
    return (PRODUCT_CATEGORIES as readonly string[]).includes(c)
      ? null
      : `unknown category "${c}" (one of ${PRODUCT_CATEGORIES.join(', ')})`;
  }
  return PRODUCT_CODE.test(v) ? null : `"${v.slice(0, 80)}" is not a product code, "category:<category>" or "*"`;
}

export function regionSelectorProblem(v: string): string | null {
  if (v.startsWith('group:')) {
    return REGION_GROUP_CODE.test(v.slice(6)) ? null : `"${v.slice(0, 80)}" is not a valid group code`;
  }
  return /^[A-Z]{2}$/.test(v)
    ? null
    : `"${v.slice(0, 80)}" is not an ISO 3166-1 alpha-2 country code, "group:<code>" or "*"`;
}

function text(
  obj: Record<string, unknown>,
  field: string,
  max: number,
  reasons: string[],
  required: boolean,
): string | null {
  const v = obj[field];
  if (v === undefined || v === null) {
    if (required) reasons.push(`${field}: is required`);
    return null;
  }
  if (typeof v !== 'string') {
    reasons.push(`${field}: must be a string`);
    return null;
  }
  if (required && v.trim() === '') reasons.push(`${field}: must not be empty`);
  if (v.length > max) reasons.push(`${field}: is ${v.length} characters long; at most ${max}`);
  return v;
}

function timestamp(obj: Record<string, unknown>, field: string, reasons: string[], required: boolean): string | null {
  const v = obj[field];
  if (v === undefined || v === null) {
    if (required) reasons.push(`${field}: is required`);
    return null;
  }
  if (typeof v !== 'string' || !ISO_WITH_ZONE.test(v) || Number.isNaN(Date.parse(v))) {
    reasons.push(`${field}: must be an ISO 8601 date-time with a zone, e.g. 2026-11-26T09:00:00Z`);
    return null;
  }
  return new Date(v).toISOString();
}

function validateScope(value: unknown, reasons: string[]): EventScope | null {
  if (!isPlainObject(value)) {
    reasons.push('scope: must be an object with products, regions and optional excludeRegions, excludeProducts, tiers');
    return null;
  }
  for (const k of Object.keys(value)) if (!SCOPE_FIELDS.has(k)) reasons.push(`scope.${k}: unknown field`);
  const products = stringList(value.products, 'scope.products', reasons, productSelectorProblem, {
    allowStar: true,
    required: true,
  });
  const regions = stringList(value.regions, 'scope.regions', reasons, regionSelectorProblem, {
    allowStar: true,
    required: true,
  });
  const excludeProducts = stringList(value.excludeProducts, 'scope.excludeProducts', reasons, productSelectorProblem, {
    allowStar: false,
    required: false,
  });
  const excludeRegions = stringList(value.excludeRegions, 'scope.excludeRegions', reasons, regionSelectorProblem, {
    allowStar: false,
    required: false,
  });
  const tiers = stringList(
    value.tiers,
    'scope.tiers',
    reasons,
    (t) =>
      (TIERS as readonly string[]).includes(t) ? null : `unknown tier "${t.slice(0, 40)}" (one of ${TIERS.join(', ')})`,
    { allowStar: false, required: false },
  ) as Tier[];
  if (Array.isArray(value.tiers) && value.tiers.length === 0) reasons.push('scope.tiers: must not be empty when given');
  return { products, regions, excludeProducts, excludeRegions, tiers: tiers.length ? tiers : [...TIERS] };
}

/** Checks the shape of one event; `defaultDispatch` fills in a missing `dispatch`. */
export function validateEvent(input: unknown, defaultDispatch: DispatchMode): ValidationResult {
  const reasons: string[] = [];
  if (!isPlainObject(input)) {
    const what = Array.isArray(input) ? 'an array' : input === null ? 'null' : `a ${typeof input}`;
    return {
      ok: false,
      reasons: [`event: must be a JSON object, got ${what}`],
      eventId: null,
      caseId: null,
      type: null,
    };
  }
  for (const k of Object.keys(input)) if (!TOP_FIELDS.has(k)) reasons.push(`${k.slice(0, 64)}: unknown field`);

  const id = (field: 'eventId' | 'caseId') => {
    const v = input[field];
    if (v === undefined || v === null) return (reasons.push(`${field}: is required`), null);
    if (typeof v !== 'string' || !EVENT_ID.test(v)) {
      return (reasons.push(`${field}: must be 1-128 characters of A-Z a-z 0-9 . _ : -`), null);
    }
    return v;
  };
  const eventId = id('eventId');
  const caseId = id('caseId');
  let type: EventType | null = null;
  if (input.type === undefined) reasons.push('type: is required');
  else if (typeof input.type !== 'string' || !(EVENT_TYPES as readonly string[]).includes(input.type)) {
    reasons.push(`type: must be one of ${EVENT_TYPES.join(', ')}`);
  } else type = input.type as EventType;

  const occurredAt = timestamp(input, 'occurredAt', reasons, true);
  const effectiveAt = timestamp(input, 'effectiveAt', reasons, false) ?? occurredAt;
  const title = text(input, 'title', 200, reasons, true);
  const summary = text(input, 'summary', 5000, reasons, true);
  const authority = text(input, 'authority', 500, reasons, false);

  let scope: EventScope | null = null;
  if (input.scope === undefined || input.scope === null) {
    if (type !== 'suspension.lifted') reasons.push('scope: is required for this type');
  } else {
    scope = validateScope(input.scope, reasons);
  }

  const conditions = stringList(
    input.conditions,
    'conditions',
    reasons,
    (c) => (c.length > MAX_CONDITION_LENGTH ? `is longer than ${MAX_CONDITION_LENGTH} characters` : null),
    { allowStar: true, required: false },
  );
  if (Array.isArray(input.conditions) && input.conditions.length > MAX_CONDITIONS) {
    reasons.push(`conditions: at most ${MAX_CONDITIONS} entries`);
  }

  let dispatch: DispatchMode = defaultDispatch;
  if (input.dispatch !== undefined) {
    if (input.dispatch === 'auto' || input.dispatch === 'review') dispatch = input.dispatch;
    else reasons.push('dispatch: must be "auto" or "review"');
  }

  if (
    reasons.length ||
    !eventId ||
    !caseId ||
    !type ||
    !occurredAt ||
    !effectiveAt ||
    title === null ||
    summary === null
  ) {
    return {
      ok: false,
      reasons,
      eventId,
      caseId,
      type: typeof input.type === 'string' ? input.type.slice(0, 64) : null,
    };
  }
  return {
    ok: true,
    event: { eventId, caseId, type, occurredAt, effectiveAt, authority, title, summary, scope, conditions, dispatch },
  };
}
