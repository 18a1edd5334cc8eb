// Small HTTP helpers for driving the local stack: JSON calls with a bearer token, and waiting for readiness.
import { CliError } from '../util/cli-error';

export interface JsonResponse<T = unknown> {
  readonly status: number;
  readonly body: T;
}

export async function callJson<T = unknown>(
  url: string,
  options: { method?: string; token?: string; body?: unknown; timeoutMs?: number } = {},
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers,
    ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
    signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // keep the text
  }
  return { status: response.status, body: body as T };
}

/** Calls and requires a 2xx, naming what failed. */
export async function expectOk<T = unknown>(
  what: string,
  url: string,
  options: Parameters<typeof callJson>[1] = {},
): Promise<T> {
  const r = await callJson<T>(url, options);
  if (r.status < 200 || r.status >= 300) {
    throw new CliError(
      `${what} failed: HTTP ${r.status} ${typeof r.body === 'string' ? r.body : JSON.stringify(r.body)}`,
    );
  }
  return r.body;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `url` until it answers 200, or fails after `timeoutMs` (or as soon as `alive()` says the process died). */
export async function waitForOk(
  what: string,
  url: string,
  options: { timeoutMs?: number; alive?: () => string | null } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  let last = 'no answer';
  while (Date.now() < deadline) {
    const dead = options.alive?.();
    if (dead) throw new CliError(`${what} stopped while starting: ${dead}`);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      if (r.status === 200) return;
      last = `HTTP ${r.status} ${(await r.text()).slice(0, 200)}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(250);
  }
  throw new CliError(
    `${what} was not ready at ${url} after ${Math.round((options.timeoutMs ?? 120_000) / 1000)} s (${last})`,
  );
}
