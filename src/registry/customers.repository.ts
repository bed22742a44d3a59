// SQL of customers with their contacts and subscriptions (reads; imports write through RegistryImportRepository).
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Principal } from '../domain/roles';
import { customerVisibility } from './customer-visibility';
import type { Tier } from '../domain/registry.types';

export interface CustomerFilter {
  q?: string;
  tier?: Tier;
  country?: string;
  product?: string;
  accountManager?: string;
  active?: boolean;
}

export interface CustomerRow {
  id: string;
  ref: string;
  name: string;
  tier: Tier;
  country: string;
  am_email: string | null;
  am_name: string | null;
  active: boolean;
  created_at: Date;
  updated_at: Date;
}

@Injectable()
export class CustomersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private where(principal: Principal, f: CustomerFilter): { sql: string; params: unknown[] } {
    const params: unknown[] = [];
    const conds: string[] = [];
    const p = (v: unknown) => `$${params.push(v)}`;
    const v = customerVisibility(principal, 'c', 1);
    conds.push(v.sql);
    params.push(...v.params);
    if (f.q) {
      const like = `%${f.q.replace(/[\\%_]/g, '\\$&')}%`;
      conds.push(`(c.name ILIKE ${p(like)} OR c.ref ILIKE $${params.length})`);
    }
    if (f.tier) conds.push(`c.tier = ${p(f.tier)}`);
    if (f.country) conds.push(`c.country = ${p(f.country)}`);
    if (f.accountManager) conds.push(`c.am_email = ${p(f.accountManager.trim().toLowerCase())}`);
    if (f.active !== undefined) conds.push(`c.active = ${p(f.active)}`);
    if (f.product)
      conds.push(`EXISTS (SELECT 1 FROM subscriptions s WHERE s.customer_id = c.id AND s.product = ${p(f.product)})`);
    return { sql: conds.join(' AND '), params };
  }

  async search(principal: Principal, f: CustomerFilter, page: number, pageSize: number) {
    const w = this.where(principal, f);
    const [{ total }] = await this.dataSource.query(
      `SELECT count(*)::int AS total FROM customers c WHERE ${w.sql}`,
      w.params,
    );
    const n = w.params.length;
    const rows: (CustomerRow & { subscriptions: { product: string; country: string }[] })[] =
      await this.dataSource.query(
        `SELECT c.*, COALESCE((SELECT json_agg(json_build_object('product', s.product, 'country', s.country)
                                     ORDER BY s.product, s.country)
                              FROM subscriptions s WHERE s.customer_id = c.id), '[]') AS subscriptions
       FROM customers c WHERE ${w.sql} ORDER BY c.ref LIMIT $${n + 1} OFFSET $${n + 2}`,
        [...w.params, pageSize, (page - 1) * pageSize],
      );
    return { total: total as number, rows };
  }

  async findVisible(principal: Principal, ref: string): Promise<CustomerRow | null> {
    const v = customerVisibility(principal, 'c', 2);
    const rows: CustomerRow[] = await this.dataSource.query(
      `SELECT c.* FROM customers c WHERE c.ref = $1 AND ${v.sql}`,
      [ref, ...v.params],
    );
    return rows[0] ?? null;
  }

  contactsOf(
    customerId: string,
  ): Promise<{ email: string; name: string; locale: string; role: string | null; notices: boolean }[]> {
    return this.dataSource.query(
      `SELECT email, name, locale, role, notices FROM contacts WHERE customer_id = $1 ORDER BY email`,
      [customerId],
    );
  }

  subscriptionsOf(
    customerId: string,
  ): Promise<{ product: string; productName: string; category: string; country: string }[]> {
    return this.dataSource.query(
      `SELECT s.product, p.name AS "productName", p.category, trim(s.country) AS country
       FROM subscriptions s JOIN products p ON p.code = s.product
       WHERE s.customer_id = $1 ORDER BY s.product, s.country`,
      [customerId],
    );
  }
}
