// Maps every error to the SPEC's JSON shape {statusCode, error, message, details?}; a 500 gets an id and a log line.
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Request, Response } from 'express';
import { scrubUrl } from './logger.module';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: unknown;
}

/** Maps body-parser and other http-errors style exceptions that carry a status. */
function statusOf(e: unknown): number | undefined {
  const s = (e as { status?: unknown; statusCode?: unknown })?.status ?? (e as { statusCode?: unknown })?.statusCode;
  return typeof s === 'number' && s >= 400 && s < 600 ? s : undefined;
}

export function errorBody(exception: unknown): { body: ErrorBody; errorId?: string } {
  if (exception instanceof HttpException) {
    const statusCode = exception.getStatus();
    const res = exception.getResponse();
    const error = STATUS_CODES[statusCode] ?? 'Error';
    if (typeof res === 'string') return { body: { statusCode, error, message: res } };
    const r = res as { message?: unknown; details?: unknown; error?: unknown };
    const messages = Array.isArray(r.message) ? r.message.map(String) : undefined;
    const message = messages ? messages.join('; ') : String(r.message ?? exception.message);
    const details = r.details ?? (messages && messages.length > 1 ? messages : undefined);
    return { body: { statusCode, error, message, ...(details !== undefined ? { details } : {}) } };
  }
  const status = statusOf(exception);
  if (status && status < 500) {
    const e = exception as { message?: string; type?: string };
    const message = e.type === 'entity.too.large' ? 'request body is too large' : (e.message ?? 'bad request');
    return { body: { statusCode: status, error: STATUS_CODES[status] ?? 'Error', message } };
  }
  const errorId = randomUUID();
  return {
    body: {
      statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
      error: 'Internal Server Error',
      message: `An unexpected error occurred (error id ${errorId})`,
    },
    errorId,
  };
}

@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    const { body, errorId } = errorBody(exception);
    if (errorId) {
      this.logger.error(
        { errorId, method: req.method, url: scrubUrl(req.originalUrl), err: exception },
        'unhandled error',
      );
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(body.statusCode).json(body);
  }
}
