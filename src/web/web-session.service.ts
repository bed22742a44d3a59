// Web sessions: a token login creates a random session id (in a signed cookie) that Redis maps to the token's id.
import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { IsNull, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AUTH_FAILURES_ALLOWED } from '../auth/auth.guard';
import { AuthService } from '../auth/auth.service';
import { ApiToken } from '../auth/entities/api-token.entity';
import type { Principal } from '../domain/roles';
import { RedisService } from '../queue/redis.service';

/** A session lasts a working day; logging in again starts a new one. */
export const SESSION_TTL_SECONDS = 12 * 3600;
const AUTH_FAILURE_WINDOW_S = 60;

export type LoginResult = { ok: true; sessionId: string; principal: Principal } | { ok: false; throttled: boolean };

@Injectable()
export class WebSessionService {
  private readonly logger = new Logger(WebSessionService.name);

  constructor(
    private readonly auth: AuthService,
    private readonly redis: RedisService,
    private readonly audit: AuditService,
    @InjectRepository(ApiToken) private readonly tokens: Repository<ApiToken>,
  ) {}

  private key(sessionId: string): string {
    // Only a hash of the id is stored, so a Redis dump does not hand out live sessions.
    return this.redis.key('websession', createHash('sha256').update(sessionId).digest('hex'));
  }

  /** Checks an API token; failures count against the same per-address limit as bearer authentication. */
  async login(token: string, ip: string): Promise<LoginResult> {
    const failKey = this.redis.key('authfail', ip);
    if (Number((await this.redis.client.get(failKey)) ?? 0) >= AUTH_FAILURES_ALLOWED)
      return { ok: false, throttled: true };
    const principal = await this.auth.authenticate(token.trim());
    if (!principal || !principal.tokenId) {
      await this.redis.client.multi().incr(failKey).expire(failKey, AUTH_FAILURE_WINDOW_S).exec();
      return { ok: false, throttled: false };
    }
    const sessionId = randomBytes(32).toString('base64url');
    await this.redis.client.set(
      this.key(sessionId),
      JSON.stringify({ tokenId: principal.tokenId }),
      'EX',
      SESSION_TTL_SECONDS,
    );
    await this.audit.record(principal, 'session.login', `token:${principal.tokenId}`, {});
    return { ok: true, sessionId, principal };
  }

  /** The principal of a live session whose token is still valid, or null. */
  async resolve(sessionId: string): Promise<Principal | null> {
    let stored: string | null;
    try {
      stored = await this.redis.client.get(this.key(sessionId));
    } catch (e) {
      this.logger.warn(`session lookup failed: ${(e as Error).message}`);
      return null;
    }
    if (!stored) return null;
    const { tokenId } = JSON.parse(stored) as { tokenId: string };
    const token = await this.tokens.findOne({ where: { id: tokenId, revokedAt: IsNull() }, relations: { user: true } });
    if (!token) {
      await this.redis.client.del(this.key(sessionId));
      return null;
    }
    const u = token.user;
    return { userId: u.id, tokenId: token.id, email: u.email, name: u.name, role: u.role };
  }

  async logout(sessionId: string): Promise<void> {
    await this.redis.client.del(this.key(sessionId));
  }
}
