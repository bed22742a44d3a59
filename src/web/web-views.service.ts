// Server-rendered pages: an isolated Handlebars instance (not the mail renderer's) over templates/web.
import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import Handlebars from 'handlebars';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Principal } from '../domain/roles';
import { roleAllows } from '../domain/roles';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { WebCsrfService } from './web-csrf.service';
import { registerWebHelpers } from './web-helpers';

export type WebRequest = Request & { user?: Principal };

/** The request's path as the browser sent it (a middleware mounted with app.use sees a shortened req.path). */
export function pathOf(req: Request): string {
  return new URL(req.originalUrl, 'http://localhost').pathname;
}

/** The web views live beside the mail templates; a TEMPLATES_DIR without a web/ folder falls back to the shipped one. */
export function webTemplatesDir(templatesDir: string): string {
  const own = resolve(templatesDir, 'web');
  return existsSync(own) ? own : resolve('templates', 'web');
}

@Injectable()
export class WebViews {
  private readonly hbs = Handlebars.create();
  private readonly views = new Map<string, Handlebars.TemplateDelegate>();
  private readonly layouts = new Map<string, Handlebars.TemplateDelegate>();
  readonly dir: string;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly csrf: WebCsrfService,
  ) {
    this.dir = webTemplatesDir(config.TEMPLATES_DIR);
    registerWebHelpers(this.hbs);
    const partials = join(this.dir, 'partials');
    for (const f of readdirSync(partials).filter((f) => f.endsWith('.hbs'))) {
      this.hbs.registerPartial(basename(f, '.hbs'), readFileSync(join(partials, f), 'utf8'));
    }
    for (const f of readdirSync(this.dir).filter((f) => f.endsWith('.hbs'))) {
      const name = basename(f, '.hbs');
      const template = this.hbs.compile(readFileSync(join(this.dir, f), 'utf8'));
      (name.startsWith('layout') ? this.layouts : this.views).set(name, template);
    }
  }

  /** Renders `view` inside the layout, with the signed-in user, their role flags and a CSRF token for the forms. */
  html(req: WebRequest, res: Response, view: string, model: Record<string, unknown>, layout = 'layout'): string {
    const template = this.views.get(view);
    if (!template) throw new Error(`web view ${view} does not exist`);
    const user = req.user;
    const context = {
      ...model,
      user: user ? { name: user.name, email: user.email, role: user.role } : null,
      isSupport: !!user && roleAllows(user.role, 'support'),
      isAdmin: !!user && roleAllows(user.role, 'admin'),
      // Public pages have no forms, so they set no CSRF cookie.
      csrfToken: layout === 'layout-public' || !req.cookies ? null : this.csrf.token(req, res),
      path: pathOf(req),
    };
    const body = template(context);
    return this.layouts.get(layout)!({ ...context, body });
  }

  send(
    req: WebRequest,
    res: Response,
    view: string,
    model: Record<string, unknown>,
    status = 200,
    layout = 'layout',
  ): void {
    const page = this.html(req, res, view, model, layout);
    res.status(status).type('html');
    if (!res.getHeader('Cache-Control')) res.setHeader('Cache-Control', 'no-store');
    res.send(page);
  }
}
