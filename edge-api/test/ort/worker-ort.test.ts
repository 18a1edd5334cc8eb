// The default build (src/worker.ts, ONNX Runtime Web in workerd): predict agrees with the lite engine on the
// README's example, and a model installs and rolls back, through the worker's own fetch handler.

import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { createLitePredictor } from '@pmm/core/onnx';
import { describe, expect, it } from 'vitest';
import worker from '../../src/worker';
import { env } from '../env';
import {
  ADMIN_TOKEN,
  artifact,
  EXAMPLE_FEATURES,
  fraudArtifact,
  fraudProbability,
  installBody,
  namedInstallBody,
} from '../fixtures';

async function call(method: string, path: string, body?: string, admin = false) {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (admin) headers.authorization = `Bearer ${ADMIN_TOKEN}`;
  const ctx = createExecutionContext();
  const response = await worker.fetch!(
    new Request(`http://edge.test${path}`, { method, headers, body }) as Request<
      unknown,
      IncomingRequestCfProperties
    >,
    env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  // biome-ignore lint/suspicious/noExplicitAny: responses are read loosely in assertions
  return { status: response.status, body: (await response.json()) as any };
}

const predict = () => call('POST', '/api/v1/predict', JSON.stringify({ features: EXAMPLE_FEATURES }));

/** P(churn) of the README's example by the lite engine: the independent computation ORT must agree with. */
async function lite(onnx: Uint8Array): Promise<number> {
  return (await (await createLitePredictor(onnx)).predict([EXAMPLE_FEATURES]))[0]!;
}

describe('default build (ONNX Runtime)', () => {
  it("answers the README's example with the lite engine's probability", async () => {
    const v1 = await artifact('v1');
    expect((await call('POST', '/admin/models', installBody(v1), true)).status).toBe(200);
    expect((await call('GET', '/healthz')).body).toMatchObject({ engine: 'ort', model: { version: 'v1' } });
    const r = await predict();
    expect(r.status).toBe(200);
    expect(r.body.model_version).toBe('v1');
    expect(r.body.probability).toBeCloseTo(await lite(v1.onnx), 6);
    expect(r.body.label).toBe(r.body.probability >= 0.5 ? 1 : 0);
  });

  it('installs a new version and rolls back to the previous one', async () => {
    const [v1, v2] = [await artifact('v1'), await artifact('v2', 1)];
    const [p1, p2] = [await lite(v1.onnx), await lite(v2.onnx)];
    expect(p1).not.toBeCloseTo(p2, 3);
    expect((await call('POST', '/admin/models', installBody(v1), true)).status).toBe(200);
    const installed = await call('POST', '/admin/models', installBody(v2), true);
    expect(installed.body).toMatchObject({ version: 'v2', previous_version: 'v1' });
    const after = await predict();
    expect(after.body.model_version).toBe('v2');
    expect(after.body.probability).toBeCloseTo(p2, 6);

    const rolledBack = await call('POST', '/admin/models/rollback', undefined, true);
    expect(rolledBack.body).toMatchObject({ version: 'v1', rolled_back_from: 'v2' });
    const back = await predict();
    expect(back.body.model_version).toBe('v1');
    expect(back.body.probability).toBeCloseTo(p1, 6);
    expect((await call('GET', '/api/v1/model')).body).toMatchObject({ version: 'v1', engine: 'ort' });
  });

  it('serves a second, non-Telco model by name beside the default one', async () => {
    const [churn, fraud] = [await artifact('v1'), await fraudArtifact('fraud-v1')];
    expect((await call('POST', '/admin/models', installBody(churn), true)).status).toBe(200);
    expect((await call('POST', '/admin/models', namedInstallBody(fraud, 'fraud'), true)).status).toBe(200);
    const row = { 'Home Airport': 'CDG', 'Amount USD': 80, 'Card Age Days': 12 };
    const r = await call('POST', '/api/v1/models/fraud/predict', JSON.stringify({ features: row }));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.model_version).toBe('fraud-v1');
    expect(r.body.probability).toBeCloseTo(fraudProbability(row), 5);
    expect((await predict()).body.probability).toBeCloseTo(await lite(churn.onnx), 6);
  });
});
