import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import type { Principal } from '../domain/roles';
import { AuditEntry } from './audit-entry.entity';

/** The actor for actions not taken by a person (CLI, system jobs). */
export type Actor = Pick<Principal, 'userId' | 'email'> | { userId: null; email: string };

export const SYSTEM_ACTOR: Actor = { userId: null, email: 'system' };

@Injectable()
export class AuditService {
  constructor(@InjectRepository(AuditEntry) private readonly entries: Repository<AuditEntry>) {}

  /** Records an action; pass the transaction's manager so the entry commits with the change. */
  async record(
    actor: Actor,
    action: string,
    target: string,
    details: Record<string, unknown> = {},
    manager?: EntityManager,
  ): Promise<void> {
    const repo = manager ? manager.getRepository(AuditEntry) : this.entries;
    await repo.insert({ actorId: actor.userId, actorEmail: actor.email, action, target, details: details as never });
  }

  async list(page: number, pageSize: number, action?: string) {
    const [items, total] = await this.entries.findAndCount({
      where: action ? { action } : {},
      order: { id: 'DESC' },
      skip: (page - 1) * pageSize,
      take: pageSize,
    });
    return { items, total, page, pageSize };
  }
}
