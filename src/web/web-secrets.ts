// The secret that signs session cookies: SESSION_SECRET, or a per-process random one (with a warning).
import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';

export const SESSION_COOKIE = 'impact_session';

@Injectable()
export class WebSecrets {
  readonly cookieSecret: string;
  /** Cookies get `Secure` when the service is published over https. */
  readonly secureCookies: boolean;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.secureCookies = config.PUBLIC_BASE_URL.startsWith('https:');
    if (config.SESSION_SECRET) {
      this.cookieSecret = config.SESSION_SECRET;
    } else {
      this.cookieSecret = randomBytes(32).toString('hex');
      new Logger('WebSessions').warn(
        'SESSION_SECRET is not set: web sessions are signed with a random per-process secret, so they will not ' +
          'survive a restart or work across several api processes. Set SESSION_SECRET to a long random string.',
      );
    }
  }
}
