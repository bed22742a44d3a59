// Token login and logout of the web pages; the session id travels in a signed, HttpOnly, SameSite=Strict cookie.
import { Body, Controller, Get, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { CookieOptions, Response } from 'express';
import { Public } from '../common/auth.decorators';
import { sessionIdOf } from './web-csrf.service';
import { WebExceptionFilter } from './web-exception.filter';
import { SESSION_COOKIE, WebSecrets } from './web-secrets';
import { SESSION_TTL_SECONDS, WebSessionService } from './web-session.service';
import { WebViews, type WebRequest } from './web-views.service';

/** Only a path of this site is a place to come back to after login. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) && !/[\r\n]/.test(next) ? next : '/events';
}

@ApiExcludeController()
@UseFilters(WebExceptionFilter)
@Public()
@Controller()
export class WebAuthController {
  constructor(
    private readonly sessions: WebSessionService,
    private readonly secrets: WebSecrets,
    private readonly views: WebViews,
  ) {}

  private cookieOptions(): CookieOptions {
    return { httpOnly: true, sameSite: 'strict', secure: this.secrets.secureCookies, signed: true, path: '/' };
  }

  @Get()
  home(@Req() req: WebRequest, @Res() res: Response) {
    res.redirect(303, req.user ? '/events' : '/login');
  }

  @Get('login')
  form(@Req() req: WebRequest, @Res() res: Response, @Query('next') next?: string) {
    this.views.send(req, res, 'login', { title: 'Log in', next: safeNext(next) });
  }

  @Post('login')
  async login(@Req() req: WebRequest, @Res() res: Response, @Body() body: Record<string, unknown>) {
    const next = safeNext(body.next);
    const token = typeof body.token === 'string' ? body.token : '';
    const r = await this.sessions.login(token, req.ip ?? 'unknown');
    if (!r.ok) {
      const error = r.throttled
        ? 'Too many failed attempts; try again in a minute.'
        : 'That token is not valid (or was revoked).';
      return this.views.send(req, res, 'login', { title: 'Log in', next, error }, r.throttled ? 429 : 401);
    }
    const old = sessionIdOf(req);
    if (old) await this.sessions.logout(old);
    res.cookie(SESSION_COOKIE, r.sessionId, { ...this.cookieOptions(), maxAge: SESSION_TTL_SECONDS * 1000 });
    res.redirect(303, next);
  }

  @Post('logout')
  async logout(@Req() req: WebRequest, @Res() res: Response) {
    const sid = sessionIdOf(req);
    if (sid) await this.sessions.logout(sid);
    res.clearCookie(SESSION_COOKIE, this.cookieOptions());
    res.redirect(303, '/login');
  }
}
