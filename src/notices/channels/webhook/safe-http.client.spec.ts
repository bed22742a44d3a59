import http from 'node:http';
import https from 'node:https';
import { isDelivered, SafeHttpClient } from './safe-http.client';

describe('isDelivered', () => {
  it.each([
    [{ status: 200, error: null, bodyExcerpt: '' }, true],
    [{ status: 204, error: null, bodyExcerpt: '' }, true],
    [{ status: 299, error: null, bodyExcerpt: '' }, true],
    [{ status: 302, error: null, bodyExcerpt: '' }, false],
    [{ status: 404, error: null, bodyExcerpt: '' }, false],
    [{ status: 500, error: null, bodyExcerpt: '' }, false],
    [{ status: 200, error: 'timed out after 10000 ms', bodyExcerpt: 'partial' }, false],
    [{ status: null, error: 'connect ECONNREFUSED 127.0.0.1:9', bodyExcerpt: '' }, false],
  ])('%j → %s', (result, expected) => {
    expect(isDelivered(result)).toBe(expected);
  });
});

describe('SafeHttpClient without a receiver', () => {
  afterEach(() => jest.restoreAllMocks());

  it('refuses a URL the policy refuses without creating a request', async () => {
    const httpRequest = jest.spyOn(http, 'request');
    const httpsRequest = jest.spyOn(https, 'request');
    const client = new SafeHttpClient({ allowPrivate: false });
    const results = await Promise.all(
      ['http://hooks.example.com/', 'https://10.0.0.1/', 'https://[fd00::1]/', 'not a url'].map((url) =>
        client.postJson(url, '{}'),
      ),
    );
    client.close();
    expect(results.map((r) => r.status)).toEqual([null, null, null, null]);
    expect(results.map((r) => r.error)).toEqual([
      'webhook URL scheme "http:" is not allowed; use https',
      'webhook URL host 10.0.0.1 is not a public address (private)',
      'webhook URL host [fd00::1] is not a public address (unique-local)',
      'webhook URL is not a valid absolute URL',
    ]);
    expect(httpRequest).not.toHaveBeenCalled();
    expect(httpsRequest).not.toHaveBeenCalled();
  });

  it('turns a header Node refuses (CR/LF in a value) into a result instead of throwing', async () => {
    const client = new SafeHttpClient({ allowPrivate: true });
    const result = await client.postJson('http://127.0.0.1:9/', '{}', { 'webhook-id': 'msg_1\r\nX-Injected: 1' });
    client.close();
    expect(result.status).toBeNull();
    expect(result.error).toMatch(/Invalid character in header content \["webhook-id"\] \(ERR_INVALID_CHAR\)/);
  });
});
