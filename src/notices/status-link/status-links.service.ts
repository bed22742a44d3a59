// Builds and checks the customers' status links (SPEC §4) under LINK_SECRET, or a generated development secret.
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { AppSecretsRepository } from './app-secrets.repository';
import { createStatusToken, verifyStatusToken } from './status-link.token';

@Injectable()
export class StatusLinks implements OnModuleInit {
  private secret: string | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly secrets: AppSecretsRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.config.LINK_SECRET) {
      this.secret = this.config.LINK_SECRET;
      return;
    }
    // Production refuses to start without LINK_SECRET (config); elsewhere every process of this database shares one.
    this.secret = await this.secrets.getOrCreate('link-secret', randomBytes(32).toString('base64url'));
    new Logger('StatusLinks').warn(
      "LINK_SECRET is not set: customers' status links are signed with a generated development secret kept in the " +
        'database; they stop working when it is set or the database is recreated. Set LINK_SECRET (required in production).',
    );
  }

  private key(): string {
    if (!this.secret) throw new Error('StatusLinks used before the module initialised');
    return this.secret;
  }

  /** `PUBLIC_BASE_URL/status/{caseId}/c/{token}`, with `?lang=` when the link is for a contact of known locale. */
  customerUrl(caseId: string, customerId: string, locale?: string | null): string {
    const base = this.config.PUBLIC_BASE_URL.replace(/\/+$/, '');
    const url = `${base}/status/${encodeURIComponent(caseId)}/c/${createStatusToken(this.key(), caseId, customerId)}`;
    return locale ? `${url}?lang=${encodeURIComponent(locale)}` : url;
  }

  /** The customer id the token names for this case, or null. */
  verify(caseId: string, token: string): string | null {
    return verifyStatusToken(this.key(), caseId, token);
  }
}
