import type { Principal } from '../domain/roles';
import { EVENT_TALLIES_TTL_MS, EventTalliesCache } from './event-tallies.cache';
import type { EventTallies } from './events.repository';

const support = { role: 'support', email: 'sam@vendor.example' } as Principal;
const otherSupport = { role: 'support', email: 'kim@vendor.example' } as Principal;
const jane = { role: 'account_manager', email: 'jane@vendor.example' } as Principal;
const bob = { role: 'account_manager', email: 'Bob@Vendor.example' } as Principal;

describe('EventTalliesCache', () => {
  let counted: number;
  const count = () => {
    counted++;
    return Promise.resolve({
      counts: {},
      webhooks: {},
      classes: [{ class: 'x', total: counted, done: 0 }],
    } as unknown as EventTallies);
  };
  beforeEach(() => (counted = 0));

  it('shares one count of a dispatching event between requests of the same visibility, also concurrent ones', async () => {
    const cache = new EventTalliesCache();
    const row = { id: '7', status: 'dispatching' } as const;
    const [a, b] = await Promise.all([cache.get(row, support, count), cache.get(row, support, count)]);
    const c = await cache.get(row, otherSupport, count);
    expect(counted).toBe(1);
    expect(a).toBe(b);
    expect(c).toBe(a);
  });

  it('counts again for another event, another account manager, and once the second is over', async () => {
    const cache = new EventTalliesCache();
    const row = { id: '7', status: 'dispatching' } as const;
    await cache.get(row, jane, count);
    await cache.get(row, bob, count);
    await cache.get(row, support, count);
    await cache.get({ id: '8', status: 'dispatching' }, support, count);
    expect(counted).toBe(4);
    await cache.get(row, jane, count);
    expect(counted).toBe(4);
    await new Promise((r) => setTimeout(r, EVENT_TALLIES_TTL_MS + 50));
    await cache.get(row, jane, count);
    expect(counted).toBe(5);
  });

  it('counts every request of an event that is not being sent', async () => {
    const cache = new EventTalliesCache();
    for (const status of ['completed', 'paused', 'cancelled', 'awaiting_review'] as const) {
      await cache.get({ id: '7', status }, support, count);
      await cache.get({ id: '7', status }, support, count);
    }
    expect(counted).toBe(8);
  });

  it('does not keep a failed count', async () => {
    const cache = new EventTalliesCache();
    const row = { id: '7', status: 'dispatching' } as const;
    await expect(cache.get(row, support, () => Promise.reject(new Error('PostgreSQL away')))).rejects.toThrow('away');
    await cache.get(row, support, count);
    expect(counted).toBe(1);
  });
});
