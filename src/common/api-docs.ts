// OpenAPI answers shared by many routes: the error body HttpExceptionFilter writes, and a decorator listing a route's 4xx.
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';
import type { ErrorBody } from './http-exception.filter';

export class ErrorBodyDto implements ErrorBody {
  @ApiProperty({ example: 404 }) statusCode: number;
  @ApiProperty({ example: 'Not Found', description: 'the HTTP reason phrase of statusCode' }) error: string;
  @ApiProperty({ example: 'no event bis-2026-11-26-001', description: 'every problem, joined by "; "' })
  message: string;
  @ApiPropertyOptional({
    description: 'when there is more than one problem: each one (validation errors as {field, message})',
    oneOf: [
      { type: 'array', items: { type: 'string' } },
      {
        type: 'array',
        items: {
          type: 'object',
          properties: { field: { type: 'string' }, message: { type: 'string' } },
          required: ['field', 'message'],
        },
      },
    ],
  })
  details?: unknown;
}

/** What each status means on this API, unless the route says more. */
const MEANING: Record<number, string> = {
  400: 'invalid input (body, query or path); `details` lists every problem',
  401: 'no valid token',
  403: "the caller's role is below what the route needs",
  404: 'not found, or not visible to the caller (an account manager sees only their own customers)',
  409: "the resource's state does not allow this",
  413: 'the request body is too large',
  415: 'unsupported Content-Type',
  422: 'the input was read but is invalid',
  429: 'too many failed authentications from this address; try again in a minute',
};

/** Documents the 4xx answers a route really gives, each with the error body: a status, or [status, what it means]. */
export function ApiErrors(...answers: Array<number | [number, string]>) {
  return applyDecorators(
    ...answers.map((a) => {
      const [status, description] = typeof a === 'number' ? [a, MEANING[a] ?? ''] : a;
      return ApiResponse({ status, description, type: ErrorBodyDto });
    }),
  );
}
