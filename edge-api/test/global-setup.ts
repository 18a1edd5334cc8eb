// Vitest global setup (Node): starts the stand-in sync server the workerd tests ship logs to.
import type { TestProject } from 'vitest/node';
import { startReceiver } from './receiver';

export const INGEST_TOKEN = 'test-ingest-token';

declare module 'vitest' {
  export interface ProvidedContext {
    receiverUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const receiver = await startReceiver(INGEST_TOKEN);
  project.provide('receiverUrl', receiver.url);
  return () => receiver.close();
}
