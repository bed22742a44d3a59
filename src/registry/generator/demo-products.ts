import type { Actor } from '../../audit/audit.service';
import type { CatalogService } from '../catalog.service';
import { DEMO_PRODUCTS } from './generator-data';

export { DEMO_PRODUCTS };

/** Creates (or refreshes) the demo catalogue, so a generated registry imports without unknown products. */
export async function ensureDemoProducts(catalog: CatalogService, actor: Actor): Promise<void> {
  for (const p of DEMO_PRODUCTS) await catalog.putProduct(actor, p);
}
