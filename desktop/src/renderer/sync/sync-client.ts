// The UI's handle on the sync worker: start/stop and the engine's status and progress events.
import type { SyncStatus, TableProgress } from './engine';

export type SyncWorkerRequest =
  | { readonly type: 'start'; readonly baseUrl: string; readonly token?: string }
  | { readonly type: 'stop' };

export type SyncWorkerResponse =
  | { readonly type: 'status'; readonly status: SyncStatus }
  | { readonly type: 'progress'; readonly progress: TableProgress; readonly status: SyncStatus }
  | { readonly type: 'error'; readonly message: string }
  | { readonly type: 'stopped' };

export class SyncClient {
  readonly #worker: Worker;
  readonly #listeners = new Set<(status: SyncStatus) => void>();
  #status: SyncStatus | null = null;

  constructor(worker?: Worker) {
    this.#worker =
      worker ??
      new Worker(new URL('./sync-worker.ts', import.meta.url), { type: 'module', name: 'pmm-sync' });
    this.#worker.onmessage = (event: MessageEvent<SyncWorkerResponse>) => {
      const message = event.data;
      if (message.type === 'status' || message.type === 'progress') {
        this.#status = message.status;
        for (const listener of this.#listeners) listener(message.status);
      } else if (message.type === 'error') console.warn(`sync: ${message.message}`);
    };
  }

  get status(): SyncStatus | null {
    return this.#status;
  }

  start(baseUrl: string, token?: string): void {
    this.#worker.postMessage({
      type: 'start',
      baseUrl,
      ...(token ? { token } : {}),
    } satisfies SyncWorkerRequest);
  }

  stop(): void {
    this.#worker.postMessage({ type: 'stop' } satisfies SyncWorkerRequest);
  }

  onStatus(listener: (status: SyncStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
