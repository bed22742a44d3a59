// Starts the real app (same bootstrap as main.ts) in-process for a test file, with helpers to call it.
import { INestApplication, INestApplicationContext } from '@nestjs/common';
import { AuthService } from '../../src/auth/auth.service';
import type { Role } from '../../src/domain/roles';
import { SYSTEM_ACTOR } from '../../src/audit/audit.service';
import { startApp } from '../../src/bootstrap';
import type { AppRole } from '../../src/config/app-config';
import { createTestEnv, TestEnv } from './test-env';

/** The app running in this process, with helpers to call it. */
export interface RunningApp {
  app: INestApplication | INestApplicationContext;
  url: string;
  /** Creates a user with a token; returns the token. */
  userWithToken(role: Role, email?: string, name?: string): Promise<{ id: string; token: string; email: string }>;
  close(): Promise<void>;
}

/** A running app with its own test environment; `close()` ends both. */
export interface TestApp extends RunningApp {
  env: TestEnv;
}

export async function startTestApp(
  label: string,
  opts: { role?: AppRole; env?: Record<string, string>; nonSuperuser?: boolean } = {},
): Promise<TestApp> {
  const env = await createTestEnv(label, opts.env, { nonSuperuser: opts.nonSuperuser });
  const running = await startRunningApp(opts.role ?? 'all');
  return {
    ...running,
    env,
    async close() {
      await running.close();
      await env.cleanup();
    },
  };
}

/** Starts the app (same bootstrap as main.ts) with the test environment already in process.env. */
export async function startRunningApp(appRole: AppRole = 'all'): Promise<RunningApp> {
  const started = await startApp(appRole, { port: 0 });
  let n = 0;
  return {
    app: started.app,
    url: started.url ?? '',
    async userWithToken(role, email, name) {
      const auth = started.app.get(AuthService);
      const addr = email ?? `${role}-${++n}-${Date.now()}@vendor.example`;
      const user = await auth.createUser(SYSTEM_ACTOR, { email: addr, name: name ?? `Test ${role}`, role });
      const { token } = await auth.createToken(SYSTEM_ACTOR, user.id);
      return { id: user.id, token, email: user.email };
    },
    close: () => started.app.close(),
  };
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** Calls the API with an optional bearer token; JSON in, JSON (or text) out. */
export async function api<T = any>(
  base: string,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; contentType?: string; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers['content-type'] = opts.contentType ?? 'application/json';
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  }
  const res = await fetch(base + path, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
  return { status: res.status, body: parsed as T, headers: res.headers };
}
