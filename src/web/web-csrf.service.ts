// CSRF protection of every web form (csrf-csrf double-submit cookie, bound to the session id).
import { Injectable } from '@nestjs/common';
import { doubleCsrf, type DoubleCsrfUtilities } from 'csrf-csrf';
import type { Request, Response } from 'express';
import { createHmac } from 'node:crypto';
import { SESSION_COOKIE, WebSecrets } from './web-secrets';

export const CSRF_FIELD = '_csrf';

@Injectable()
export class WebCsrfService {
  private readonly csrf: DoubleCsrfUtilities;

  constructor(secrets: WebSecrets) {
    const secret = createHmac('sha256', secrets.cookieSecret).update('csrf').digest('hex');
    this.csrf = doubleCsrf({
      getSecret: () => secret,
      // Before login the token is bound to "no session"; after login a new one is issued for the new session.
      getSessionIdentifier: (req) => sessionIdOf(req) ?? '',
      cookieName: secrets.secureCookies ? '__Host-impact_csrf' : 'impact_csrf',
      cookieOptions: { sameSite: 'strict', secure: secrets.secureCookies, httpOnly: true, path: '/' },
      getCsrfTokenFromRequest: (req) => {
        const body = req.body as Record<string, unknown> | undefined;
        const v = body?.[CSRF_FIELD] ?? req.headers['x-csrf-token'];
        return typeof v === 'string' ? v : null;
      },
    });
  }

  /** The token to put in a form's hidden field (the cookie is set or kept on `res`). */
  token(req: Request, res: Response): string {
    return this.csrf.generateCsrfToken(req, res);
  }

  /** True when the request carries the form token that matches its cookie and session. */
  valid(req: Request): boolean {
    return this.csrf.validateRequest(req);
  }
}

export function sessionIdOf(req: Request): string | null {
  const v = (req.signedCookies as Record<string, unknown> | undefined)?.[SESSION_COOKIE];
  return typeof v === 'string' && v.length > 0 ? v : null;
}
