// Registry vocabulary (SPEC §2), declared once.
export const TIERS = ['developer', 'enterprise'] as const;
export type Tier = (typeof TIERS)[number];

export const PRODUCT_CATEGORIES = ['hosted-api', 'software', 'model-weights', 'technical-data'] as const;
export type ProductCategory = (typeof PRODUCT_CATEGORIES)[number];

export const PRODUCT_CODE = /^[a-z0-9-]{2,64}$/;
export const REGION_GROUP_CODE = /^[A-Z0-9-]{2,32}$/;

/** One subscription: a product used in a destination country. */
export interface SubscriptionRef {
  product: string;
  country: string;
}

export interface AccountManager {
  email: string;
  name: string;
}
