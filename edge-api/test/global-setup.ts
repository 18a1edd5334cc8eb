// Vitest global setup (Node): runs test/centre-process.ts (the REAL sync server behind the fault proxy) and hands
// its URL and tokens to the workerd tests.
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import type { CentreInfo } from './centre-process';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The fault proxy in front of the real sync server: the worker's SYNC_URL. */
    syncUrl: string;
    /** The ingest token the centre issued for the test node. */
    ingestToken: string;
    centreAdminToken: string;
    centreReadToken: string;
  }
}

/** The node the tests' worker is (NODE_ID in vitest.config.ts). */
export const NODE_ID = 'edge-test';

export default async function setup(project: TestProject) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, 'centre-process.ts'), NODE_ID],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const info = await new Promise<CentreInfo>((resolve, reject) => {
    let line = '';
    child.stdout!.on('data', (d) => {
      line += d;
      const end = line.indexOf('\n');
      if (end >= 0) resolve(JSON.parse(line.slice(0, end)) as CentreInfo);
    });
    void exited.then((code) => reject(new Error(`the test sync server exited (${code}):\n${output}`)));
  });
  project.provide('syncUrl', info.syncUrl);
  project.provide('ingestToken', info.ingestToken);
  project.provide('centreAdminToken', info.adminToken);
  project.provide('centreReadToken', info.readToken);
  return async () => {
    child.stdin!.end();
    await exited;
  };
}
