import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { ApiErrors } from './api-docs';
import type { Principal, Role } from '../domain/roles';

export const ROLE_KEY = 'auth:role';
export const PUBLIC_KEY = 'auth:public';

/**
 * The least role a route needs (admin ⊇ support ⊇ account_manager). Also documents what the AuthGuard answers: a bearer
 * token, 401 without a valid one, 429 after too many failures, and 403 when the route needs more than the least role.
 */
export const RequireRole = (role: Role) =>
  applyDecorators(
    SetMetadata(ROLE_KEY, role),
    ApiBearerAuth(),
    ApiErrors(401, 429, ...(role === 'account_manager' ? [] : [403])),
  );

/** Routes outside /api/v1 that need no token (health, metrics, public status pages). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

export const CurrentUser = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal => ctx.switchToHttp().getRequest().user,
);
