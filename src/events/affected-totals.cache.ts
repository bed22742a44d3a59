// Totals of filtered affected-customer lists of applied events, kept for a short while: counting a filter over a
// 300k-customer event joins its customers for every row (150 ms and more at 1M), and paging through one filter asks
// for the same total on every page.
import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { AffectedQuery } from './affected.repository';

/** How long a filtered total is reused; a registry import that changes tiers, names or account managers shows after this. */
export const AFFECTED_TOTAL_TTL_MS = 30_000;

@Injectable()
export class AffectedTotalsCache {
  private readonly totals = new LRUCache<string, number>({ max: 5000, ttl: AFFECTED_TOTAL_TTL_MS });

  /**
   * The key of a list's total, or null when it must be counted every time. An applied event's customer rows never
   * change, so its total moves only with the customers' own fields (tier, name, account manager); delivery states
   * change while the event is sent, so a `deliveryStatus` filter is always counted. The key is the query's SQL and
   * parameters: the filters and the viewer's visibility both are in them, never the page.
   */
  key(q: AffectedQuery, applied: boolean, deliveryFiltered: boolean): string | null {
    if (!applied || !q.filtered || deliveryFiltered) return null;
    return JSON.stringify([q.from, q.params]);
  }

  get(key: string | null): number | undefined {
    return key === null ? undefined : this.totals.get(key);
  }

  set(key: string | null, total: number): void {
    if (key !== null) this.totals.set(key, total);
  }
}
