import { NestFactory } from '@nestjs/core';
import { AppModule } from '../../src/app.module';
import { openApiDocument } from '../../src/bootstrap';
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

  it('is the same document when written without a server (preview mode, as npm run openapi does)', async () => {
    const served = (await api(t.url, 'GET', '/api/docs-json')).body;
    const app = await NestFactory.create(AppModule.forRole('api'), { preview: true, logger: false });
    try {
      expect(JSON.parse(JSON.stringify(openApiDocument(app)))).toEqual(served);
    } finally {
      await app.close();
    }
    expect(served.paths['/health'].get.security).toEqual([]);
    expect(served.paths['/webhooks/bounces/{provider}'].post.security).toEqual([{ bounceWebhookToken: [] }]);
    expect(served.paths['/api/v1/events/{eventId}'].get.responses['404'].content['application/json'].schema.$ref).toBe(
      '#/components/schemas/ErrorBodyDto',
    );
  });
});
