/** Every JSON API route lives under this prefix (SPEC §5). */
export const API_PREFIX = 'api/v1';

/** Providers' webhooks (bounces) live under this prefix, outside the API: no bearer token, a URL token instead. */
export const WEBHOOKS_PREFIX = 'webhooks';

/** The OpenAPI security scheme of the providers' webhooks: BOUNCE_WEBHOOK_TOKEN in the `token` query parameter. */
export const BOUNCE_WEBHOOK_AUTH = 'bounceWebhookToken';
