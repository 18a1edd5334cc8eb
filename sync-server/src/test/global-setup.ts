// Vitest global setup: trains one real model artifact and prepares a migrated PGlite directory to copy per file.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { telcoCsvPath } from '@pmm/test-support';
import type { TestProject } from 'vitest/node';
import { openStore } from '../start';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A directory with model.onnx + model.json from `pmm train`. */
    artifactDir: string;
    /** A migrated PGlite data directory (unused when DATABASE_URL is set). */
    pgliteTemplate: string;
  }
}

const repo = path.resolve(import.meta.dirname, '../../..');

export default async function setup(project: TestProject) {
  const root = await mkdtemp(path.join(tmpdir(), 'pmm-sync-test-'));
  const artifactDir = path.join(root, 'artifact');
  const train = promisify(execFile)(
    process.execPath,
    [path.join(repo, 'cli/bin/pmm.js'), 'train', '--data', telcoCsvPath(), '--out', artifactDir],
    { cwd: repo, maxBuffer: 16 * 1024 * 1024 },
  );
  const pgliteTemplate = path.join(root, 'pglite-template');
  const template = process.env.DATABASE_URL
    ? Promise.resolve()
    : openStore({ databaseUrl: undefined, dbDir: pgliteTemplate }).then((db) => db.close());
  await Promise.all([train, template]);
  project.provide('artifactDir', artifactDir);
  project.provide('pgliteTemplate', pgliteTemplate);
  return () => rm(root, { recursive: true, force: true });
}
