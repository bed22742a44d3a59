import { api, startTestApp, TestApp } from '../support/app';

describe('OpenAPI document', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('openapi');
  });
  afterAll(() => t.close());

  it('documents every /api/v1 route with a summary, bearer auth, and the main response shapes', async () => {
    const res = await api(t.url, 'GET', '/api/docs-json');
    expect(res.status).toBe(200);
    const doc = res.body;
    const ops = Object.entries(doc.paths as Record<string, Record<string, any>>)
      .filter(([path]) => path.startsWith('/api/v1'))
      .flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, op })),
      );
    expect(ops.length).toBeGreaterThan(25);
    for (const { route, op } of ops) {
      expect({ route, summary: typeof op.summary === 'string' && op.summary.length > 0 }).toEqual({
        route,
        summary: true,
      });
      expect({ route, bearer: (op.security ?? []).some((s: object) => 'bearer' in s) }).toEqual({
        route,
        bearer: true,
      });
    }
    const schemaOf = (path: string, method: string, status: string) =>
      doc.paths[path][method].responses[status]?.content?.['application/json']?.schema?.$ref;
    expect(schemaOf('/api/v1/events/{eventId}', 'get', '200')).toBe('#/components/schemas/EventViewDto');
    expect(schemaOf('/api/v1/events', 'get', '200')).toBe('#/components/schemas/EventPageDto');
    expect(schemaOf('/api/v1/events', 'post', '202')).toBe('#/components/schemas/AcceptedEventDto');
    expect(schemaOf('/api/v1/events/{eventId}/approve', 'post', '200')).toBe('#/components/schemas/OutreachResultDto');
    expect(doc.components.schemas.EventViewDto.required).toEqual(
      expect.arrayContaining(['eventId', 'caseId', 'type', 'status', 'reasons', 'receivedAt', 'counts']),
    );
  });
});
