// JSON Lines imports that carry `"webhook": {"url": …}`: checked like PUT /customers/:ref/webhook, a secret made at
// apply, kept for the same URL, replaced for another, and an endpoint left alone by a line that says nothing of it.
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { StagedBatch } from '../../src/registry/import/staged-batches';
import { startTestApp, TestApp } from '../support/app';
import { withPg } from '../support/registry-fixture';
import { importText, jsonl, seedProducts } from '../support/registry-import';

const acme = (webhook?: unknown) => ({
  ref: 'ACME-001',
  name: 'Acme GmbH',
  tier: 'enterprise',
  country: 'DE',
  contacts: [{ email: 'ops@acme.example' }],
  subscriptions: [{ product: 'claude-api' }],
  ...(webhook === undefined ? {} : { webhook }),
});
const kiwi = {
  ref: 'KIWI-7',
  name: 'Kiwi Labs',
  tier: 'developer',
  country: 'NZ',
  subscriptions: [{ product: 'claude-code' }],
};

describe('registry import: webhook endpoints', () => {
  let t: TestApp;
  const endpoints = () =>
    withPg(t.env.db.url, async (c) => {
      const r = await c.query(
        `SELECT cu.ref, w.url, w.secret FROM customer_webhooks w JOIN customers cu ON cu.id = w.customer_id ORDER BY cu.ref`,
      );
      return r.rows as { ref: string; url: string; secret: string }[];
    });

  beforeAll(async () => {
    t = await startTestApp('import-webhooks');
    await seedProducts(t);
  });
  afterAll(() => t.close());

  it('sets the endpoint of a line that carries one (a fresh registry), normalised, with a new whsec_ secret', async () => {
    const report = await importText(t, jsonl(acme({ url: 'HTTPS://Hooks.Acme.example/in' }), kiwi), {
      format: 'jsonl',
    });
    expect(report).toMatchObject({ applied: true, errorCount: 0, customers: { created: 2 } });
    const rows = await endpoints();
    expect(rows).toEqual([
      { ref: 'ACME-001', url: 'https://hooks.acme.example/in', secret: expect.stringMatching(/^whsec_/) },
    ]);
  });

  it('keeps the secret when an upsert carries the same URL, and leaves the endpoint alone without a webhook field', async () => {
    const [before] = await endpoints();
    for (const line of [acme({ url: 'https://hooks.acme.example/in' }), acme(), acme(null)]) {
      const report = await importText(t, jsonl(line, kiwi), { format: 'jsonl' });
      expect(report).toMatchObject({ applied: true, errorCount: 0 });
      expect(await endpoints()).toEqual([before]);
    }
  });

  it('replaces the secret when the URL changes, and a dry run changes nothing', async () => {
    const [before] = await endpoints();
    const dry = await importText(t, jsonl(acme({ url: 'https://other.acme.example/' })), {
      format: 'jsonl',
      dryRun: true,
    });
    expect(dry).toMatchObject({ applied: false, dryRun: true, errorCount: 0 });
    expect(await endpoints()).toEqual([before]);
    await importText(
      t,
      jsonl(acme({ url: 'https://other.acme.example/' }), { ...kiwi, webhook: { url: 'https://kiwi.example/h' } }),
      {
        format: 'jsonl',
      },
    );
    const [acmeNow, kiwiNow] = await endpoints();
    expect(acmeNow).toEqual({
      ref: 'ACME-001',
      url: 'https://other.acme.example/',
      secret: expect.stringMatching(/^whsec_/),
    });
    expect(acmeNow.secret).not.toBe(before.secret);
    expect(kiwiNow).toMatchObject({ ref: 'KIWI-7', url: 'https://kiwi.example/h' });
    expect(kiwiNow.secret).not.toBe(acmeNow.secret);
  });

  it('reports a bad webhook as a row error with line, field and reason, and applies nothing', async () => {
    const before = await endpoints();
    const file = jsonl(
      acme({ url: 'https://fine.acme.example/' }),
      { ...kiwi, webhook: { url: 'ftp://kiwi.example/h' } },
      { ...kiwi, ref: 'K-2', webhook: { url: 'http://kiwi.example/h' } },
      { ...kiwi, ref: 'K-3', webhook: { url: 'https://10.0.0.1/h' } },
      { ...kiwi, ref: 'K-4', webhook: { url: 'https://169.254.169.254/latest/meta-data/' } },
      { ...kiwi, ref: 'K-5', webhook: { url: 'https://[::1]/h' } },
      { ...kiwi, ref: 'K-6', webhook: 'https://kiwi.example/h' },
      { ...kiwi, ref: 'K-7', webhook: { url: 'https://kiwi.example/h', secret: 'whsec_mine' } },
      { ...kiwi, ref: 'K-8', webhook: {} },
    );
    const report = await importText(t, file, { format: 'jsonl' });
    expect(report.applied).toBe(false);
    expect(report.errors).toEqual([
      { line: 2, field: 'webhook.url', message: 'webhook.url scheme "ftp:" is not allowed; use https' },
      { line: 3, field: 'webhook.url', message: 'webhook.url scheme "http:" is not allowed; use https' },
      { line: 4, field: 'webhook.url', message: 'webhook.url host 10.0.0.1 is not a public address (private)' },
      {
        line: 5,
        field: 'webhook.url',
        message: 'webhook.url host 169.254.169.254 is not a public address (link-local)',
      },
      { line: 6, field: 'webhook.url', message: 'webhook.url host [::1] is not a public address (loopback)' },
      { line: 7, field: 'webhook', message: 'webhook must be an object {url}' },
      { line: 8, field: 'webhook.secret', message: 'unknown field webhook.secret' },
      { line: 9, field: 'webhook.url', message: 'webhook.url is required' },
    ]);
    expect(await endpoints()).toEqual(before);
  });

  it('applies the same rule on the parser threads of the compiled importer, with the policy it is given', async () => {
    // Only the compiled build has the worker script (run `npm run build` first, as the suite's scripts do).
    const dist = join(__dirname, '..', '..', 'dist', 'src', 'registry', 'import', 'staged-batches.js');
    const { stagedBatches } = require(dist) as typeof import('../../src/registry/import/staged-batches');
    const file = jsonl(acme({ url: 'http://127.0.0.1:8080/h' }));
    const run = async (allowPrivate: boolean) => {
      const out: StagedBatch[] = [];
      for await (const b of stagedBatches(Readable.from([file]), 'jsonl', 2, { allowPrivate })) out.push(b);
      return out;
    };
    const refused = await run(false);
    expect(refused.flatMap((b) => b.errors)).toEqual([
      { line: 1, field: 'webhook.url', message: 'webhook.url scheme "http:" is not allowed; use https' },
    ]);
    const allowed = await run(true);
    expect(allowed.flatMap((b) => b.errors)).toEqual([]);
    expect(
      allowed
        .flatMap((b) => b.rows)[0]
        .trimEnd()
        .split('\t')
        .at(-2),
    ).toBe('http://127.0.0.1:8080/h');
  });
});
