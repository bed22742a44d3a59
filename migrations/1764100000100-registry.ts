import { MigrationInterface, QueryRunner } from 'typeorm';
import { getAlpha2Codes } from 'i18n-iso-countries';

/** Registry: countries (ISO 3166-1, from i18n-iso-countries), products, region groups, customers, contacts, subscriptions. */
export class Registry1764100000100 implements MigrationInterface {
  name = 'Registry1764100000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE countries (code char(2) PRIMARY KEY CHECK (code ~ '^[A-Z]{2}$'))`);
    const codes = Object.keys(getAlpha2Codes()).sort();
    await q.query(`INSERT INTO countries (code) SELECT unnest($1::text[])`, [codes]);

    await q.query(`
      CREATE TABLE products (
        code text PRIMARY KEY CHECK (code ~ '^[a-z0-9-]{2,64}$'),
        name text NOT NULL CHECK (name <> ''),
        category text NOT NULL CHECK (category IN ('hosted-api', 'software', 'model-weights', 'technical-data')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE region_groups (
        code text PRIMARY KEY CHECK (code ~ '^[A-Z0-9-]{2,32}$'),
        name text NOT NULL CHECK (name <> ''),
        countries char(2)[] NOT NULL,
        builtin boolean NOT NULL DEFAULT false,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE customers (
        id bigserial PRIMARY KEY,
        ref text NOT NULL UNIQUE CHECK (ref <> ''),
        name text NOT NULL CHECK (name <> ''),
        tier text NOT NULL CHECK (tier IN ('developer', 'enterprise')),
        country char(2) NOT NULL REFERENCES countries(code),
        am_email text CHECK (am_email = lower(am_email)),
        am_name text,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX customers_am_idx ON customers (am_email) WHERE am_email IS NOT NULL`);
    await q.query(`CREATE INDEX customers_country_idx ON customers (country)`);
    await q.query(`
      CREATE TABLE contacts (
        id bigserial PRIMARY KEY,
        customer_id bigint NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        email text NOT NULL CHECK (email = lower(email) AND email LIKE '%_@_%'),
        name text NOT NULL,
        locale text NOT NULL DEFAULT 'en' CHECK (locale ~ '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$'),
        role text,
        notices boolean NOT NULL DEFAULT true,
        UNIQUE (customer_id, email)
      )`);
    await q.query(`
      CREATE TABLE subscriptions (
        customer_id bigint NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        product text NOT NULL REFERENCES products(code) ON UPDATE CASCADE,
        country char(2) NOT NULL REFERENCES countries(code),
        PRIMARY KEY (customer_id, product, country)
      )`);
    // Matching looks subscriptions up by product and destination country.
    await q.query(`CREATE INDEX subscriptions_match_idx ON subscriptions (product, country) INCLUDE (customer_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['subscriptions', 'contacts', 'customers', 'region_groups', 'products', 'countries']) {
      await q.query(`DROP TABLE ${t}`);
    }
  }
}
