export const ROLES = ['admin', 'support', 'account_manager'] as const;
export type Role = (typeof ROLES)[number];

/** What each role may do: admin ⊇ support ⊇ account_manager (read only, own customers). */
const RANK: Record<Role, number> = { account_manager: 1, support: 2, admin: 3 };

export function roleAllows(have: Role, need: Role): boolean {
  return RANK[have] >= RANK[need];
}

/** The authenticated caller, attached to the request by the auth guard. */
export interface Principal {
  userId: string;
  tokenId: string | null;
  email: string;
  name: string;
  role: Role;
}
