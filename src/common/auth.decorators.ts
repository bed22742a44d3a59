import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Principal, Role } from '../domain/roles';

export const ROLE_KEY = 'auth:role';
export const PUBLIC_KEY = 'auth:public';

/** The least role a route needs (admin ⊇ support ⊇ account_manager). */
export const RequireRole = (role: Role) => SetMetadata(ROLE_KEY, role);

/** Routes outside /api/v1 that need no token (health, metrics, public status pages). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

export const CurrentUser = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal => ctx.switchToHttp().getRequest().user,
);
