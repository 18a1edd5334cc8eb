// One held request for every synced table (GET /v1/shape-changes): a table's live shape request goes out only once
// the server says it has rows, so live sync keeps one connection and writes never queue behind six long-polls.

export interface ChangeFeedOptions {
  /** The sync server's origin. */
  readonly baseUrl: string;
  readonly headers: Record<string, string>;
  readonly fetchClient: typeof fetch;
  /** Ends the feed (the engine's stop). */
  readonly signal: AbortSignal;
  /** Longest wait between retries while the server is unreachable (default 5 s). */
  readonly maxRetryDelayMs?: number;
}

/** Path of the server's change long-poll. */
export const SHAPE_CHANGES_PATH = '/v1/shape-changes';

interface Watcher {
  readonly table: string;
  readonly handle: string;
  readonly offset: string;
  readonly release: () => void;
}

const abortError = () => new DOMException('The operation was aborted.', 'AbortError');
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });

/**
 * Parks live shape requests until their table changes. Tables waiting are watched together by one request;
 * when a table joins or leaves, the request in flight is replaced. A server without the endpoint (404, e.g.
 * shapes proxied to Electric) or a refused token lets every live request through, where the shape stream
 * reports it.
 */
export class ChangeFeed {
  readonly #options: ChangeFeedOptions;
  readonly #watchers = new Set<Watcher>();
  #inFlight: { controller: AbortController; key: string } | null = null;
  #running = false;
  #restartQueued = false;
  #passThrough = false;

  constructor(options: ChangeFeedOptions) {
    this.#options = options;
  }

  /** Resolves once `table` has rows after `offset` or a handle other than `handle`; rejects when `signal` aborts. */
  wait(table: string, handle: string, offset: string, signal?: AbortSignal | null): Promise<void> {
    if (this.#passThrough || this.#options.signal.aborted) return Promise.resolve();
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortError());
      const onAbort = () => {
        this.#watchers.delete(watcher);
        this.#restart();
        reject(abortError());
      };
      const watcher: Watcher = {
        table,
        handle,
        offset,
        release: () => {
          signal?.removeEventListener('abort', onAbort);
          this.#watchers.delete(watcher);
          resolve();
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#watchers.add(watcher);
      this.#restart();
      void this.#run();
    });
  }

  #key(): string {
    return [...new Set([...this.#watchers].map((w) => `${w.table}:${w.handle}:${w.offset}`))]
      .sort()
      .join('&');
  }

  /** Replaces the request in flight (once per tick) when the set of watched positions changed. */
  #restart(): void {
    if (this.#restartQueued) return;
    this.#restartQueued = true;
    queueMicrotask(() => {
      this.#restartQueued = false;
      const inFlight = this.#inFlight;
      if (inFlight && inFlight.key !== this.#key()) inFlight.controller.abort();
    });
  }

  #releaseAll(): void {
    for (const w of [...this.#watchers]) w.release();
  }

  async #run(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    const { baseUrl, headers, fetchClient, signal } = this.#options;
    let delay = 250;
    try {
      // Let every stream that reached the live edge in this tick join the first request.
      await Promise.resolve();
      while (this.#watchers.size > 0 && !signal.aborted) {
        const key = this.#key();
        const controller = new AbortController();
        const stop = () => controller.abort();
        signal.addEventListener('abort', stop, { once: true });
        this.#inFlight = { controller, key };
        try {
          const query = key
            .split('&')
            .map((w) => `watch=${encodeURIComponent(w)}`)
            .join('&');
          const response = await fetchClient(`${baseUrl.replace(/\/$/, '')}${SHAPE_CHANGES_PATH}?${query}`, {
            headers,
            signal: controller.signal,
          });
          if (response.status === 404) {
            this.#passThrough = true;
            this.#releaseAll();
            break;
          }
          if (response.status >= 400 && response.status < 500) {
            // A refused token or a position the server does not take: the shape requests say why.
            this.#releaseAll();
            continue;
          }
          if (!response.ok) throw new Error(`shape changes: ${response.status}`);
          const { changed } = (await response.json()) as { changed: string[] };
          const moved = new Set(changed);
          for (const w of [...this.#watchers]) if (moved.has(w.table)) w.release();
          delay = 250;
        } catch {
          if (signal.aborted) break;
          if (controller.signal.aborted) continue; // replaced: the watched set changed
          await sleep(delay, signal);
          delay = Math.min(delay * 2, this.#options.maxRetryDelayMs ?? 5000);
        } finally {
          signal.removeEventListener('abort', stop);
          this.#inFlight = null;
        }
      }
    } finally {
      this.#running = false;
      if (signal.aborted) this.#releaseAll();
    }
  }
}
