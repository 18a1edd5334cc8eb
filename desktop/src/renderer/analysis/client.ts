// The UI's handle on the analysis worker: one request, one promise.
import type { AnalysisRequest, AnalysisResponse, DriftResult, FleetResult, TimelineResult } from './protocol';

type Pending = { resolve: (r: AnalysisResponse) => void };

type Without<T> = T extends unknown ? Omit<T, 'id'> : never;

export class AnalysisClient {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #next = 1;

  constructor(worker?: Worker) {
    this.#worker =
      worker ?? new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'pmm-analysis' });
    this.#worker.onmessage = (event: MessageEvent<AnalysisResponse>) => {
      const pending = this.#pending.get(event.data.id);
      this.#pending.delete(event.data.id);
      pending?.resolve(event.data);
    };
  }

  #request(request: Without<AnalysisRequest>): Promise<AnalysisResponse> {
    const id = this.#next++;
    return new Promise((resolve) => {
      this.#pending.set(id, { resolve });
      this.#worker.postMessage({ ...request, id });
    });
  }

  async drift(
    request: Omit<Extract<AnalysisRequest, { type: 'drift' }>, 'id' | 'type'>,
  ): Promise<DriftResult> {
    const response = await this.#request({ ...request, type: 'drift' });
    if (response.type === 'error') throw Object.assign(new Error(response.message), { name: response.name });
    return response as DriftResult;
  }

  async timeline(
    request: Omit<Extract<AnalysisRequest, { type: 'timeline' }>, 'id' | 'type'>,
  ): Promise<TimelineResult> {
    const response = await this.#request({ ...request, type: 'timeline' });
    if (response.type === 'error') throw Object.assign(new Error(response.message), { name: response.name });
    return response as TimelineResult;
  }

  async fleet(
    request: Omit<Extract<AnalysisRequest, { type: 'fleet' }>, 'id' | 'type'>,
  ): Promise<FleetResult> {
    const response = await this.#request({ ...request, type: 'fleet' });
    if (response.type === 'error') throw Object.assign(new Error(response.message), { name: response.name });
    return response as FleetResult;
  }

  terminate(): void {
    this.#worker.terminate();
  }
}
