// Middlewares of the web routes: session → req.user (so AuthGuard and @RequireRole work unchanged), login redirect, CSRF, admin gate.
import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import { roleAllows } from '../domain/roles';
import { sessionIdOf, WebCsrfService } from './web-csrf.service';
import { WebSessionService } from './web-session.service';
import { pathOf, WebViews, type WebRequest } from './web-views.service';

/** Routes whose multipart body is read by the handler, which checks the form's CSRF field itself before using it. */
const MULTIPART_CSRF_CHECKED_BY_HANDLER = new Set(['/registry/import']);

@Injectable()
export class WebSessionMiddleware implements NestMiddleware {
  constructor(private readonly sessions: WebSessionService) {}

  async use(req: WebRequest, _res: Response, next: NextFunction): Promise<void> {
    try {
      const sid = sessionIdOf(req);
      if (sid && !req.user) {
        const principal = await this.sessions.resolve(sid);
        if (principal) req.user = principal;
      }
      next();
    } catch (e) {
      next(e);
    }
  }
}

/** Pages need a session: reading requests go to the login page (and come back), others get 401. */
@Injectable()
export class RequireSessionMiddleware implements NestMiddleware {
  constructor(private readonly views: WebViews) {}

  use(req: WebRequest, res: Response, next: NextFunction): void {
    if (req.user) return next();
    if (req.method === 'GET' || req.method === 'HEAD') {
      res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    this.views.send(
      req,
      res,
      'error',
      { title: 'Signed out', status: 401, message: 'Your session has ended. Please log in again.' },
      401,
    );
  }
}

@Injectable()
export class WebCsrfMiddleware implements NestMiddleware {
  constructor(
    private readonly csrf: WebCsrfService,
    private readonly views: WebViews,
  ) {}

  use(req: WebRequest, res: Response, next: NextFunction): void {
    if (['GET', 'HEAD', 'OPTIONS'].includes(req.method)) return next();
    const multipart = (req.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data');
    if (multipart && MULTIPART_CSRF_CHECKED_BY_HANDLER.has(pathOf(req))) return next();
    if (this.csrf.valid(req)) return next();
    this.views.send(
      req,
      res,
      'error',
      {
        title: 'Form expired',
        status: 403,
        message:
          'The form was refused: its security token is missing or out of date. Go back, reload the page and try again.',
      },
      403,
    );
  }
}

/** bull-board is for admins only; it never sees other users. */
@Injectable()
export class RequireAdminMiddleware implements NestMiddleware {
  constructor(private readonly views: WebViews) {}

  use(req: WebRequest, res: Response, next: NextFunction): void {
    if (!req.user) {
      res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    if (!roleAllows(req.user.role, 'admin')) {
      this.views.send(
        req,
        res,
        'error',
        { title: 'Admins only', status: 403, message: 'The queue dashboard is for admins.' },
        403,
      );
      return;
    }
    next();
  }
}
