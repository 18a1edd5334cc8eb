// KV's eventual consistency: artifacts under their sha256 before the pointer, and the previous version keeps
// answering where the pointer is visible before the artifact it names (simulated by deleting the artifact key).
import { createLitePredictor } from '@pmm/core/onnx';
import { describe, expect, it } from 'vitest';
import { Runtime } from '../src/edge-node';
import { artifactKey, ModelStore } from '../src/model-store';
import { env } from './env';
import { artifact, EXAMPLE_FEATURES } from './fixtures';

const ctx = { waitUntil: (_p: Promise<unknown>) => {} };
const isolate = () => new Runtime('lite', createLitePredictor);

/** The same P(churn) the version's own artifact gives, computed without the node. */
async function expected(onnx: Uint8Array): Promise<number> {
  return (await (await createLitePredictor(onnx)).predict([EXAMPLE_FEATURES]))[0]!;
}

describe('models in KV', () => {
  it('writes the artifact under its sha256 and the card before the pointer, which names the sha256', async () => {
    const puts: string[] = [];
    const kv = env.MODELS;
    const recording = {
      get: kv.get.bind(kv),
      list: kv.list.bind(kv),
      delete: kv.delete.bind(kv),
      getWithMetadata: kv.getWithMetadata.bind(kv),
      put: (key: string, value: string | ArrayBuffer | ArrayBufferView | ReadableStream) => {
        puts.push(key);
        return kv.put(key, value);
      },
    } as unknown as KVNamespace;
    const v1 = await artifact('v1');
    const pointer = await new ModelStore(recording).install(v1.card, v1.onnx, '2026-11-30T00:00:00.000Z');
    expect(puts).toEqual([artifactKey(v1.card.onnx_sha256), 'models/v1/card', 'models/active']);
    expect(puts[0]).toBe(`artifacts/${v1.card.onnx_sha256}`);
    expect(pointer).toMatchObject({ version: 'v1', onnx_sha256: v1.card.onnx_sha256 });
    expect(new Uint8Array((await env.MODELS.get(puts[0]!, 'arrayBuffer'))!)).toEqual(v1.onnx);
  });

  it('keeps answering with the previous version while the new artifact is not visible, then switches', async () => {
    const [v1, v2] = [await artifact('v1'), await artifact('v2', 1)];
    const [p1, p2] = [await expected(v1.onnx), await expected(v2.onnx)];
    expect(p1).not.toBeCloseTo(p2, 3);

    // Location B has served v1 for a while.
    const here = isolate();
    const installer = isolate().node(env);
    await installer.installModel(v1.card, v1.onnx);
    const b = here.node(env);
    expect((await b.predict([EXAMPLE_FEATURES], ctx))[0]).toMatchObject({ model_version: 'v1' });

    // Location A installs v2; at B the pointer shows v2 but the artifact does not yet.
    await installer.installModel(v2.card, v2.onnx);
    await env.MODELS.delete(artifactKey(v2.card.onnx_sha256));
    here.expirePointers(); // the cached pointer expired
    const [during] = await b.predict([EXAMPLE_FEATURES], ctx);
    expect(during!.model_version).toBe('v1');
    expect(during!.probability).toBeCloseTo(p1, 6);
    expect((await b.health()).model).toMatchObject({ version: 'v2', serving_version: 'v1' });
    expect(await b.modelInfo()).toMatchObject({ version: 'v1', pending_version: 'v2' });
    expect(await b.notReadyReason()).toBeNull();

    // A fresh isolate at B (nothing served yet) falls back along the pointer's history.
    const fresh = isolate().node(env);
    expect((await fresh.predict([EXAMPLE_FEATURES], ctx))[0]!.model_version).toBe('v1');

    // The artifact becomes visible: the next pointer read switches to v2.
    await env.MODELS.put(artifactKey(v2.card.onnx_sha256), v2.onnx);
    here.expirePointers(); // the cached pointer and the "not visible" note expired
    const [after] = await b.predict([EXAMPLE_FEATURES], ctx);
    expect(after!.model_version).toBe('v2');
    expect(after!.probability).toBeCloseTo(p2, 6);
    expect(await b.modelInfo()).not.toHaveProperty('pending_version');
  });

  it('answers 503 when no version it could fall back on is visible either', async () => {
    const v1 = await artifact('v1');
    await isolate().node(env).installModel(v1.card, v1.onnx);
    await env.MODELS.delete(artifactKey(v1.card.onnx_sha256));
    const node = isolate().node(env);
    await expect(node.predict([EXAMPLE_FEATURES], ctx)).rejects.toMatchObject({
      status: 503,
      code: 'no_model',
      message: expect.stringContaining('not in KV (yet)'),
    });
    expect(await node.notReadyReason()).toContain('not in KV (yet)');
  });
});
