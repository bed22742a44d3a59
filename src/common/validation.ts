import { ArgumentMetadata, BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';

/** Flattens class-validator errors into "path: reason" lines. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): { field: string; message: string }[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flattenValidationErrors(e.children ?? [], field)];
  });
}

/** Names of the query or path values holding a NUL character, which PostgreSQL text cannot store or compare. */
function nulFields(value: unknown, name: string): string[] {
  if (typeof value === 'string') return value.includes('\u0000') ? [name || 'value'] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => nulFields(v, `${name}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => nulFields(v, name ? `${name}.${k}` : k));
  }
  return [];
}

class AppValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'query' || metadata.type === 'param') {
      const details = nulFields(value, metadata.data ?? '').map((field) => ({
        field,
        message: 'must not contain a NUL character',
      }));
      if (details.length)
        throw new BadRequestException({ message: details.map((d) => `${d.field}: ${d.message}`).join('; '), details });
    }
    return super.transform(value, metadata);
  }
}

/** Global pipe: whitelist (unknown fields rejected), conversion, and every error listed in `details`. */
export function appValidationPipe(): ValidationPipe {
  return new AppValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const details = flattenValidationErrors(errors);
      return new BadRequestException({
        message: details.map((d) => `${d.field}: ${d.message}`).join('; '),
        details,
      });
    },
  });
}
