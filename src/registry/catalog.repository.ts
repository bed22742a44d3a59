// SQL of the catalog tables: products, region groups and the ISO country list.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { ProductCategory } from '../domain/registry.types';

export interface Product {
  code: string;
  name: string;
  category: ProductCategory;
}

export interface RegionGroup {
  code: string;
  name: string;
  countries: string[];
  builtin: boolean;
}

@Injectable()
export class CatalogRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private db(m?: EntityManager): { query: DataSource['query'] } {
    return m ?? this.dataSource;
  }

  listProducts(): Promise<Product[]> {
    return this.dataSource.query(`SELECT code, name, category FROM products ORDER BY code`);
  }

  /** Creates or replaces a product; `created` tells which. */
  async upsertProduct(p: Product, m?: EntityManager): Promise<{ product: Product; created: boolean }> {
    const rows: (Product & { created: boolean })[] = await this.db(m).query(
      `INSERT INTO products (code, name, category) VALUES ($1, $2, $3)
       ON CONFLICT (code) DO UPDATE SET name = excluded.name, category = excluded.category, updated_at = now()
       RETURNING code, name, category, (xmax = 0) AS created`,
      [p.code, p.name, p.category],
    );
    const { created, ...product } = rows[0];
    return { product, created };
  }

  listRegionGroups(): Promise<RegionGroup[]> {
    return this.dataSource.query(
      `SELECT code, name, array_to_json(countries) AS countries, builtin FROM region_groups ORDER BY code`,
    );
  }

  /** Creates or replaces a group; an operator's replacement is no longer built in. */
  async upsertRegionGroup(
    g: Omit<RegionGroup, 'builtin'>,
    m?: EntityManager,
  ): Promise<{ group: RegionGroup; created: boolean }> {
    const rows: (RegionGroup & { created: boolean })[] = await this.db(m).query(
      `INSERT INTO region_groups (code, name, countries, builtin) VALUES ($1, $2, $3::char(2)[], false)
       ON CONFLICT (code) DO UPDATE
         SET name = excluded.name, countries = excluded.countries, builtin = false, updated_at = now()
       RETURNING code, name, array_to_json(countries) AS countries, builtin, (xmax = 0) AS created`,
      [g.code, g.name, g.countries],
    );
    const { created, ...group } = rows[0];
    return { group, created };
  }

  /** The codes of `codes` that are not ISO 3166-1 alpha-2 countries. */
  async unknownCountries(codes: string[], m: EntityManager = this.dataSource.manager): Promise<string[]> {
    const rows: { code: string }[] = await m.query(
      `SELECT x.code FROM unnest($1::text[]) AS x(code)
       WHERE NOT EXISTS (SELECT 1 FROM countries c WHERE c.code = x.code) ORDER BY x.code`,
      [codes],
    );
    return rows.map((r) => r.code);
  }

  /** The codes of `codes` that name no product (read through `m`, by default the pool). */
  async unknownProducts(codes: string[], m: EntityManager = this.dataSource.manager): Promise<string[]> {
    const rows: { code: string }[] = await m.query(
      `SELECT x.code FROM unnest($1::text[]) AS x(code)
       WHERE NOT EXISTS (SELECT 1 FROM products p WHERE p.code = x.code) ORDER BY x.code`,
      [codes],
    );
    return rows.map((r) => r.code);
  }
}
