// An event's tallies while it is sent, shared for a second: the event page polls its progress every second for
// each viewer, and each poll counted the event's notices (615k rows at 1M customers: about 100 ms of PostgreSQL).
// Requests for the same event and viewer within the second share one count, even those that arrive together.
import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { Principal } from '../domain/roles';
import { customerVisibility } from '../registry/customer-visibility';
import type { EventRow, EventTallies } from './events.repository';

/** How long a dispatching event's tallies are shared: the page's polling interval. */
export const EVENT_TALLIES_TTL_MS = 1000;

@Injectable()
export class EventTalliesCache {
  private readonly shared = new LRUCache<string, Promise<EventTallies>>({ max: 2000, ttl: EVENT_TALLIES_TTL_MS });

  /**
   * The tallies of `row` as `viewer` may see them. Only a dispatching event's are shared, as they move anyway while
   * it is read; any other state (paused, completed, cancelled…) is counted on every request, so what a request after a
   * change of state shows is never older than the change.
   */
  get(
    row: Pick<EventRow, 'id' | 'status'>,
    viewer: Principal,
    count: () => Promise<EventTallies>,
  ): Promise<EventTallies> {
    if (row.status !== 'dispatching') return count();
    // The viewer's visibility, not the viewer: every support user sees the same tallies.
    const key = JSON.stringify([String(row.id), customerVisibility(viewer).params]);
    const known = this.shared.get(key);
    if (known) return known;
    const counting = count();
    this.shared.set(key, counting);
    // A failed count is not shared: the next request counts again.
    counting.catch(() => this.shared.delete(key));
    return counting;
  }
}
