// Errors on web pages become HTML pages (the API keeps its JSON errors); a lost session goes back to the login page.
import { ArgumentsHost, Catch, ExceptionFilter, Injectable, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { errorBody } from '../common/http-exception.filter';
import { pathOf, WebViews, type WebRequest } from './web-views.service';

@Catch()
@Injectable()
export class WebExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(WebExceptionFilter.name);

  constructor(private readonly views: WebViews) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<WebRequest>();
    const res = host.switchToHttp().getResponse<Response>();
    const { body, errorId } = errorBody(exception);
    if (errorId)
      this.logger.error({ errorId, method: req.method, url: req.originalUrl, err: exception }, 'web page failed');
    if (res.headersSent) {
      res.end();
      return;
    }
    if (body.statusCode === 401 && req.method === 'GET') {
      res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    const details = Array.isArray(body.details)
      ? body.details.map((d) => (typeof d === 'string' ? d : JSON.stringify(d)))
      : [];
    const layout = pathOf(req).startsWith('/status/') ? 'layout-public' : 'layout';
    this.views.send(
      req,
      res,
      'error',
      {
        title: body.error,
        status: body.statusCode,
        message: body.message,
        details,
        public: layout === 'layout-public',
      },
      body.statusCode,
      layout,
    );
  }
}
