import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { AuditService, type Actor } from '../audit/audit.service';
import { TransactionService } from '../common/transaction.service';
import { ApiToken } from './entities/api-token.entity';
import { User } from './entities/user.entity';
import type { Principal, Role } from '../domain/roles';
import { hashToken, looksLikeToken, newTokenSecret } from './token-secret';

/** last_used_at is refreshed at most this often per token, to keep reads cheap. */
const LAST_USED_GRANULARITY_MS = 30_000;

@Injectable()
export class AuthService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectRepository(ApiToken) private readonly tokens: Repository<ApiToken>,
    private readonly tx: TransactionService,
    private readonly audit: AuditService,
  ) {}

  async createUser(actor: Actor, input: { email: string; name: string; role: Role }): Promise<User> {
    const email = input.email.trim().toLowerCase();
    return this.tx.run(async (m) => {
      const existing = await m.getRepository(User).findOne({ where: { email } });
      if (existing) throw new ConflictException(`a user with email ${email} already exists`);
      const user = await m.getRepository(User).save(m.getRepository(User).create({ ...input, email }));
      await this.audit.record(actor, 'user.create', `user:${user.id}`, { email, role: user.role }, m);
      return user;
    });
  }

  /** Creates a token; the secret is returned once and only its hash is kept. */
  async createToken(actor: Actor, userId: string, label?: string): Promise<{ id: string; token: string }> {
    return this.tx.run(async (m) => {
      const user = await m.getRepository(User).findOne({ where: { id: userId } });
      if (!user) throw new NotFoundException(`no user ${userId}`);
      const token = newTokenSecret();
      const row = await m
        .getRepository(ApiToken)
        .save(m.getRepository(ApiToken).create({ userId, tokenHash: hashToken(token), label: label ?? null }));
      await this.audit.record(actor, 'token.create', `token:${row.id}`, { userId, email: user.email }, m);
      return { id: row.id, token };
    });
  }

  async revokeToken(actor: Actor, tokenId: string): Promise<void> {
    await this.tx.run(async (m) => {
      const res = await m
        .getRepository(ApiToken)
        .update({ id: tokenId, revokedAt: IsNull() }, { revokedAt: () => 'now()' });
      if (!res.affected) throw new NotFoundException(`no active token ${tokenId}`);
      await this.audit.record(actor, 'token.revoke', `token:${tokenId}`, {}, m);
    });
  }

  /** The principal a bearer secret stands for, or null when it is unknown or revoked. */
  async authenticate(secret: string): Promise<Principal | null> {
    if (!looksLikeToken(secret)) return null;
    const token = await this.tokens.findOne({
      where: { tokenHash: hashToken(secret), revokedAt: IsNull() },
      relations: { user: true },
    });
    if (!token) return null;
    if (!token.lastUsedAt || Date.now() - token.lastUsedAt.getTime() > LAST_USED_GRANULARITY_MS) {
      await this.tokens.update({ id: token.id }, { lastUsedAt: () => 'now()' });
    }
    const u = token.user;
    return { userId: u.id, tokenId: token.id, email: u.email, name: u.name, role: u.role };
  }

  async findUserByEmail(email: string): Promise<User | null> {
    return this.users.findOne({ where: { email: email.trim().toLowerCase() } });
  }
}
