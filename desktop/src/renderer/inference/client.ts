// The UI's handle on the inference worker: one request, one promise; one worker for the whole app.
import type {
  InferenceRequest,
  InferenceResponse,
  ModelInfoResult,
  PredictResult,
  PrefetchResult,
  ShadowResult,
  WarmResult,
} from './protocol';

type Without<T> = T extends unknown ? Omit<T, 'id'> : never;
type Params<K extends InferenceRequest['type']> = Omit<Extract<InferenceRequest, { type: K }>, 'id' | 'type'>;

const startWorker = () =>
  new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'pmm-inference' });

export class InferenceClient {
  #worker: Worker;
  readonly #pending = new Map<number, (r: InferenceResponse) => void>();
  readonly #restartable: boolean;
  /** Versions WebGPU was set aside for, and why: sent with every request so a fresh worker knows. */
  readonly #gpuRefused: Record<string, string> = {};
  #next = 1;

  constructor(worker?: Worker) {
    this.#restartable = worker === undefined;
    this.#worker = worker ?? startWorker();
    this.#listen();
  }

  #listen(): void {
    this.#worker.onmessage = (event: MessageEvent<InferenceResponse>) => {
      const resolve = this.#pending.get(event.data.id);
      this.#pending.delete(event.data.id);
      resolve?.(event.data);
    };
  }

  async #request<T extends InferenceResponse>(request: Without<InferenceRequest>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const id = this.#next++;
      const worker = this.#worker;
      const response = await new Promise<InferenceResponse>((resolve) => {
        this.#pending.set(id, resolve);
        worker.postMessage({ ...request, id, gpuRefused: { ...this.#gpuRefused } });
      });
      if (
        response.type === 'error' &&
        response.name === 'GpuRefusedError' &&
        response.version &&
        attempt < 3
      ) {
        // WebGPU failed on this version: its WebAssembly instance may answer differently now. Start afresh.
        this.#gpuRefused[response.version] = response.message;
        if (this.#restartable && this.#worker === worker) {
          worker.terminate();
          for (const resolve of this.#pending.values())
            resolve({
              id: -1,
              type: 'error',
              name: 'WorkerRestarted',
              message: 'the inference worker restarted',
            });
          this.#pending.clear();
          this.#worker = startWorker();
          this.#listen();
        }
        continue;
      }
      // A request caught by another request's restart goes again to the new worker.
      if (response.type === 'error' && response.name === 'WorkerRestarted' && attempt < 3) continue;
      if (response.type === 'error')
        throw Object.assign(new Error(response.message), { name: response.name });
      return response as T;
    }
  }

  shadow(params: Params<'shadow'>): Promise<ShadowResult> {
    return this.#request({ ...params, type: 'shadow' });
  }

  predict(params: Params<'predict'>): Promise<PredictResult> {
    return this.#request({ ...params, type: 'predict' });
  }

  modelInfo(params: Params<'model-info'>): Promise<ModelInfoResult> {
    return this.#request({ ...params, type: 'model-info' });
  }

  prefetch(params: Params<'prefetch'>): Promise<PrefetchResult> {
    return this.#request({ ...params, type: 'prefetch' });
  }

  warm(params: Params<'warm'>): Promise<WarmResult> {
    return this.#request({ ...params, type: 'warm' });
  }
}

let shared: InferenceClient | null = null;

/** The app's inference worker, started on first use. */
export function inferenceClient(): InferenceClient {
  shared ??= new InferenceClient();
  return shared;
}
