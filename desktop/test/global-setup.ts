// Vitest global setup for the desktop tests: trains the real model versions once (`pmm train --seed 0|1|2`).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { trainModel, trainModels } from './real-sync-server';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Directories holding model.onnx + model.json: production (seed 0) and challenger (seed 1). */
    pmmModels: { production: string; challenger: string };
    /** A third version (seed 2), for a colleague's hotfix in the conflict test. */
    pmmHotfixModel: string;
  }
}

export default async function setup(project: TestProject) {
  const root = await mkdtemp(path.join(tmpdir(), 'pmm-desktop-models-'));
  const [models, hotfix] = await Promise.all([trainModels(root), trainModel(root, 2)]);
  project.provide('pmmModels', models);
  project.provide('pmmHotfixModel', hotfix);
  return () => rm(root, { recursive: true, force: true });
}
