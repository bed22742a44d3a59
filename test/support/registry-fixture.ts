// A small registry written straight into PostgreSQL, where the right answer of every event is known by hand.
import { Client } from 'pg';

export interface FixtureCustomer {
  ref: string;
  name: string;
  tier: 'developer' | 'enterprise';
  country: string;
  am?: { email: string; name: string };
  active?: boolean;
  contacts: { email: string; name?: string; locale?: string; notices?: boolean }[];
  subs: string[]; // "product@CC"
}

export async function withPg<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function insertProducts(
  url: string,
  products: [code: string, name: string, category: string][],
): Promise<void> {
  await withPg(url, async (c) => {
    for (const [code, name, category] of products) {
      await c.query(
        `INSERT INTO products (code, name, category) VALUES ($1, $2, $3)
         ON CONFLICT (code) DO UPDATE SET name = $2, category = $3`,
        [code, name, category],
      );
    }
  });
}

export async function insertGroup(url: string, code: string, countries: string[]): Promise<void> {
  await withPg(url, (c) =>
    c.query(
      `INSERT INTO region_groups (code, name, countries) VALUES ($1, $1, $2)
       ON CONFLICT (code) DO UPDATE SET countries = $2`,
      [code, countries],
    ),
  );
}

export async function insertCustomers(url: string, customers: FixtureCustomer[]): Promise<void> {
  await withPg(url, async (c) => {
    for (const cu of customers) {
      const {
        rows: [{ id }],
      } = await c.query(
        `INSERT INTO customers (ref, name, tier, country, am_email, am_name, active)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
        [cu.ref, cu.name, cu.tier, cu.country, cu.am?.email ?? null, cu.am?.name ?? null, cu.active ?? true],
      );
      for (const ct of cu.contacts) {
        await c.query(`INSERT INTO contacts (customer_id, email, name, locale, notices) VALUES ($1, $2, $3, $4, $5)`, [
          id,
          ct.email,
          ct.name ?? ct.email.split('@')[0],
          ct.locale ?? 'en',
          ct.notices ?? true,
        ]);
      }
      for (const s of cu.subs) {
        const [product, country] = s.split('@');
        await c.query(`INSERT INTO subscriptions (customer_id, product, country) VALUES ($1, $2, $3)`, [
          id,
          product,
          country ?? cu.country,
        ]);
      }
    }
  });
}

/** Notice rows of an event as sorted "kind ref email" lines (digests: "am-digest - email"). */
export async function noticeLines(url: string, eventId: string): Promise<string[]> {
  return withPg(url, async (c) => {
    const { rows } = await c.query(
      `SELECT n.kind, coalesce(cu.ref, '-') AS ref, n.email FROM notices n
         JOIN events e ON e.id = n.event_pk LEFT JOIN customers cu ON cu.id = n.customer_id
        WHERE e.event_id = $1 AND NOT e.conflict AND NOT n.is_test ORDER BY 1, 2, 3`,
      [eventId],
    );
    return rows.map((r) => `${r.kind} ${r.ref} ${r.email}`);
  });
}
