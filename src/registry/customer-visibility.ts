// Which customers a principal may see (SPEC §5): support and admin see all; an account manager only their own.
import type { Principal } from '../domain/roles';
import { roleAllows } from '../domain/roles';

/** A SQL condition with its positional parameters ($n numbering starts at the caller's `firstParam`). */
export interface SqlCondition {
  sql: string;
  params: unknown[];
}

const ALIAS = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The condition on the customers row aliased `alias` that limits it to what `principal` may see.
 * Use it in every query that lists or reads customers, so an account manager gets a 404 or a filtered
 * list for anyone else's customers: `WHERE ... AND ${v.sql}` with `params.push(...v.params)`.
 */
export function customerVisibility(
  principal: Pick<Principal, 'role' | 'email'>,
  alias = 'c',
  firstParam = 1,
): SqlCondition {
  if (!ALIAS.test(alias)) throw new Error(`customerVisibility: "${alias}" is not a table alias`);
  if (roleAllows(principal.role, 'support')) return { sql: 'TRUE', params: [] };
  return { sql: `${alias}.am_email = $${firstParam}`, params: [principal.email.trim().toLowerCase()] };
}

/** The same rule for TypeORM query builders (named parameter). */
export function customerVisibilityNamed(
  principal: Pick<Principal, 'role' | 'email'>,
  alias = 'c',
): { sql: string; params: Record<string, unknown> } {
  if (!ALIAS.test(alias)) throw new Error(`customerVisibility: "${alias}" is not a table alias`);
  if (roleAllows(principal.role, 'support')) return { sql: 'TRUE', params: {} };
  return { sql: `${alias}.am_email = :visibleToAm`, params: { visibleToAm: principal.email.trim().toLowerCase() } };
}
