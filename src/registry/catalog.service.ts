// Products and region groups: validated, audited replacements of the catalog (SPEC §2).
import { BadRequestException, Injectable } from '@nestjs/common';
import { AuditService, type Actor } from '../audit/audit.service';
import { TransactionService } from '../common/transaction.service';
import { CatalogRepository, type Product, type RegionGroup } from './catalog.repository';
import { PRODUCT_CATEGORIES, PRODUCT_CODE, REGION_GROUP_CODE, type ProductCategory } from '../domain/registry.types';

@Injectable()
export class CatalogService {
  constructor(
    private readonly catalog: CatalogRepository,
    private readonly audit: AuditService,
    private readonly tx: TransactionService,
  ) {}

  listProducts(): Promise<Product[]> {
    return this.catalog.listProducts();
  }

  listRegionGroups(): Promise<RegionGroup[]> {
    return this.catalog.listRegionGroups();
  }

  async putProduct(actor: Actor, input: { code: string; name: string; category: ProductCategory }): Promise<Product> {
    if (!PRODUCT_CODE.test(input.code)) {
      throw invalid('code', `product code must match ${PRODUCT_CODE.source} (got "${input.code}")`);
    }
    if (!(PRODUCT_CATEGORIES as readonly string[]).includes(input.category)) {
      throw invalid('category', `category must be one of ${PRODUCT_CATEGORIES.join(', ')}`);
    }
    const name = input.name.trim();
    if (!name) throw invalid('name', 'name must not be empty');
    return this.tx.run(async (m) => {
      const { product, created } = await this.catalog.upsertProduct(
        { code: input.code, name, category: input.category },
        m,
      );
      await this.audit.record(
        actor,
        created ? 'product.create' : 'product.update',
        `product:${product.code}`,
        { ...product },
        m,
      );
      return product;
    });
  }

  async putRegionGroup(actor: Actor, input: { code: string; name: string; countries: string[] }): Promise<RegionGroup> {
    if (!REGION_GROUP_CODE.test(input.code)) {
      throw invalid('code', `region group code must match ${REGION_GROUP_CODE.source} (got "${input.code}")`);
    }
    const name = input.name.trim();
    if (!name) throw invalid('name', 'name must not be empty');
    const countries = [...new Set(input.countries.map((c) => c.trim().toUpperCase()))].sort();
    const unknown = await this.catalog.unknownCountries(countries);
    if (unknown.length) {
      throw invalid('countries', `not ISO 3166-1 alpha-2 country codes: ${unknown.join(', ')}`);
    }
    return this.tx.run(async (m) => {
      const { group, created } = await this.catalog.upsertRegionGroup({ code: input.code, name, countries }, m);
      await this.audit.record(
        actor,
        created ? 'region-group.create' : 'region-group.update',
        `region-group:${group.code}`,
        {
          name: group.name,
          countries: group.countries,
        },
        m,
      );
      return group;
    });
  }
}

function invalid(field: string, message: string): BadRequestException {
  return new BadRequestException({ message: `${field}: ${message}`, details: [{ field, message }] });
}
