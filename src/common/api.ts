/** Every JSON API route lives under this prefix (SPEC §5). */
export const API_PREFIX = 'api/v1';
