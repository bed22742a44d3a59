// Bearer-token (or web session) authentication and role checks for every route not marked @Public().
import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  HttpException,
  HttpStatus,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { RedisService } from '../queue/redis.service';
import { PUBLIC_KEY, ROLE_KEY } from '../common/auth.decorators';
import { AuthService } from './auth.service';
import { roleAllows, type Principal, type Role } from '../domain/roles';

/** Failed authentications allowed per client address per window before 429. */
export const AUTH_FAILURES_ALLOWED = 20;
const AUTH_FAILURE_WINDOW_S = 60;

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    private readonly redis: RedisService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const req = context.switchToHttp().getRequest<Request & { user?: Principal }>();
    const need = this.reflector.getAllAndOverride<Role>(ROLE_KEY, targets) ?? 'admin';

    if (!req.user) {
      const failKey = this.redis.key('authfail', req.ip ?? 'unknown');
      const failures = Number((await this.redis.client.get(failKey)) ?? 0);
      if (failures >= AUTH_FAILURES_ALLOWED) {
        throw new HttpException('too many failed authentications; try again in a minute', HttpStatus.TOO_MANY_REQUESTS);
      }
      const header = req.headers.authorization ?? '';
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      const principal = match ? await this.auth.authenticate(match[1]) : null;
      if (!principal) {
        await this.redis.client.multi().incr(failKey).expire(failKey, AUTH_FAILURE_WINDOW_S).exec();
        throw new UnauthorizedException(
          match ? 'invalid or revoked token' : 'missing Authorization: Bearer <token> header',
        );
      }
      req.user = principal;
    }
    if (!roleAllows(req.user.role, need)) {
      throw new ForbiddenException(`this action needs the ${need} role; you are ${req.user.role}`);
    }
    return true;
  }
}
