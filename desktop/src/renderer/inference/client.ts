// The UI's handle on the inference worker: one request, one promise; one worker for the whole app.
import type {
  InferenceRequest,
  InferenceResponse,
  ModelInfoResult,
  PredictResult,
  PrefetchResult,
  ShadowResult,
} from './protocol';

type Without<T> = T extends unknown ? Omit<T, 'id'> : never;
type Params<K extends InferenceRequest['type']> = Omit<Extract<InferenceRequest, { type: K }>, 'id' | 'type'>;

export class InferenceClient {
  readonly #worker: Worker;
  readonly #pending = new Map<number, (r: InferenceResponse) => void>();
  #next = 1;

  constructor(worker?: Worker) {
    this.#worker =
      worker ??
      new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'pmm-inference' });
    this.#worker.onmessage = (event: MessageEvent<InferenceResponse>) => {
      const resolve = this.#pending.get(event.data.id);
      this.#pending.delete(event.data.id);
      resolve?.(event.data);
    };
  }

  async #request<T extends InferenceResponse>(request: Without<InferenceRequest>): Promise<T> {
    const id = this.#next++;
    const response = await new Promise<InferenceResponse>((resolve) => {
      this.#pending.set(id, resolve);
      this.#worker.postMessage({ ...request, id });
    });
    if (response.type === 'error') throw Object.assign(new Error(response.message), { name: response.name });
    return response as T;
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
}

let shared: InferenceClient | null = null;

/** The app's inference worker, started on first use. */
export function inferenceClient(): InferenceClient {
  shared ??= new InferenceClient();
  return shared;
}
