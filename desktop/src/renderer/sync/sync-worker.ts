// The sync engine in its own worker: parsing shape responses and writing IndexedDB never block the UI thread.
import { PmmDb } from '../store/db';
import { SyncEngine } from './engine';
import type { SyncWorkerRequest, SyncWorkerResponse } from './sync-client';

const db = new PmmDb();
let engine: SyncEngine | null = null;
const post = (message: SyncWorkerResponse) => self.postMessage(message);

async function handle(request: SyncWorkerRequest): Promise<void> {
  if (request.type === 'start') {
    await engine?.stop();
    const e = new SyncEngine({
      db,
      baseUrl: request.baseUrl,
      ...(request.token ? { token: request.token } : {}),
    });
    engine = e;
    e.on('status', (status) => post({ type: 'status', status }));
    e.on('progress', (progress) => post({ type: 'progress', progress, status: e.status }));
    e.on('error', (error) => post({ type: 'error', message: error.message }));
    await e.start();
  } else if (request.type === 'stop') {
    await engine?.stop();
    engine = null;
    post({ type: 'stopped' });
  }
}

// Requests run one at a time, so a stop never overtakes the start before it.
let queue = Promise.resolve();
self.onmessage = (event: MessageEvent<SyncWorkerRequest>) => {
  queue = queue
    .then(() => handle(event.data))
    .catch((error: unknown) => post({ type: 'error', message: String(error) }));
};
