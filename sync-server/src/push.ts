// Pushes each model name's production version to every registered edge in the background, retrying with
// exponential backoff. Pushes run per (node, name): a push of one name never cancels another name's.
import type { PushOptions } from './config';
import type { Db } from './db/client';
import {
  getNodeTarget,
  listNodeTargets,
  type NodeTarget,
  nodesAwaiting,
  type PushStatus,
  recordPush,
} from './db/nodes';
import { getArtifact, getModel, modelNameOf, resolveAlias, servedModels } from './db/registry';

export const EDGE_INSTALL_PATH = '/admin/models';

/** One push: a model name's version to one node. */
interface Push {
  readonly target: NodeTarget;
  readonly name: string;
  readonly version: string;
}

export interface PusherDeps {
  readonly db: Db;
  readonly options: PushOptions;
  readonly fetch?: typeof fetch;
  readonly log?: (message: string) => void;
}

/** Delay before attempt `attempt + 1` (attempt counts from 1): base · 2^(attempt−1), capped. */
export function backoffDelay(options: PushOptions, attempt: number): number {
  return Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
}

class Superseded extends Error {}

const runKey = (nodeId: string, name: string) => `${nodeId}\u0000${name}`;

export class Pusher {
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  /** Pushes being set up (reading the node list), so `idle()` waits for them too. */
  private readonly starting = new Set<Promise<unknown>>();
  private closed = false;

  constructor(private readonly deps: PusherDeps) {}

  /**
   * Starts pushing `version` (of its model name) to every registered node; returns at once. A newer push of
   * the same name to a node cancels its older one; other names' pushes go on.
   */
  pushAll(version: string): Promise<number> {
    return this.track(
      Promise.all([modelNameOf(this.deps.db, version), listNodeTargets(this.deps.db)]).then(
        ([name, targets]) => {
          if (name === null) throw new Error(`model ${version} is not in the registry`);
          for (const target of targets) this.start(target, name, version);
          return targets.length;
        },
      ),
    );
  }

  /** Starts pushing every name's current production version to one node; true when there was any. */
  pushProductionTo(nodeId: string): Promise<boolean> {
    return this.track(
      Promise.all([servedModels(this.deps.db), getNodeTarget(this.deps.db, nodeId)]).then(
        ([served, target]) => {
          if (served.length === 0 || !target) return false;
          for (const { name, version } of served) this.start(target, name, version);
          return true;
        },
      ),
    );
  }

  /** After a restart: pushes each name's production again to the nodes that neither installed nor refused it. */
  reconcile(): Promise<number> {
    return this.track(
      servedModels(this.deps.db).then(async (served) => {
        let started = 0;
        for (const { name, version } of served) {
          const targets = await nodesAwaiting(this.deps.db, name, version);
          for (const target of targets) this.start(target, name, version);
          started += targets.length;
        }
        return started;
      }),
    );
  }

  /** Resolves when no push is starting or running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.starting.size > 0 || this.running.size > 0) {
      await Promise.allSettled([...this.starting, ...[...this.running.values()].map((r) => r.done)]);
    }
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.starting.add(promise);
    const forget = () => this.starting.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  /** Cancels the pushes in flight (their current attempt is not recorded) and waits for them to stop. */
  async close(): Promise<void> {
    this.closed = true;
    for (const run of this.running.values()) run.controller.abort();
    await this.idle();
  }

  private start(target: NodeTarget, name: string, version: string): void {
    if (this.closed) return;
    const key = runKey(target.nodeId, name);
    const previous = this.running.get(key);
    previous?.controller.abort(new Superseded());
    const controller = new AbortController();
    const push: Push = { target, name, version };
    const done = (async () => {
      await previous?.done;
      try {
        await this.run(push, controller.signal);
      } catch (err) {
        this.deps.log?.(`push of ${name} ${version} to ${target.nodeId} stopped: ${message(err)}`);
      } finally {
        if (this.running.get(key)?.controller === controller) this.running.delete(key);
      }
    })();
    this.running.set(key, { controller, done });
  }

  private async run(push: Push, signal: AbortSignal): Promise<void> {
    const { target, name, version } = push;
    const { db, options } = this.deps;
    const [model, artifact] = await Promise.all([getModel(db, version), getArtifact(db, version)]);
    if (!model || !artifact) throw new Error(`model ${version} is not in the registry`);
    const body = JSON.stringify({
      name,
      model: model.card,
      onnx_base64: Buffer.from(artifact.onnx).toString('base64'),
    });
    const url = `${target.url.replace(/\/+$/, '')}${EDGE_INSTALL_PATH}`;
    const doFetch = this.deps.fetch ?? fetch;

    for (let attempt = 1; attempt <= options.maxAttempts; attempt++) {
      if (signal.aborted) return this.stopped(push, attempt, signal);
      if ((await resolveAlias(db, 'production', name)) !== version) {
        return this.record(push, attempt, 'superseded', null, 'production moved to another version');
      }
      let status: number | null = null;
      let error: string;
      try {
        const response = await doFetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${target.adminToken}` },
          body,
          signal: AbortSignal.any([signal, AbortSignal.timeout(options.timeoutMs)]),
        });
        status = response.status;
        const text = await response.text().catch(() => '');
        if (response.ok) return this.record(push, attempt, 'succeeded', status, null);
        error = `HTTP ${status}: ${text.slice(0, 500)}`;
        // The edge refused the artifact or our credentials: retrying the same request cannot help.
        if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
          return this.record(push, attempt, 'rejected', status, error);
        }
      } catch (err) {
        if (signal.aborted) return this.stopped(push, attempt, signal);
        error = message(err);
      }
      const last = attempt === options.maxAttempts;
      await this.record(push, attempt, last ? 'gave_up' : 'failed', status, error);
      if (!last && !(await sleep(backoffDelay(options, attempt), signal))) {
        return this.stopped(push, attempt + 1, signal);
      }
    }
  }

  private async stopped(push: Push, attempt: number, signal: AbortSignal) {
    // A newer push of the same name to the same node replaced this one; a shutdown leaves no record (the next
    // start reconciles).
    if (signal.reason instanceof Superseded) {
      await this.record(push, attempt, 'superseded', null, 'a newer push to this node started');
    }
  }

  private async record(
    push: Push,
    attempt: number,
    status: PushStatus,
    httpStatus: number | null,
    error: string | null,
  ): Promise<void> {
    const { target, name, version } = push;
    await recordPush(this.deps.db, {
      nodeId: target.nodeId,
      name,
      version,
      attempt,
      status,
      httpStatus,
      error,
    });
    if (status !== 'succeeded')
      this.deps.log?.(`push ${name} ${version} → ${target.nodeId} #${attempt} ${status}: ${error}`);
  }
}

function message(err: unknown): string {
  if (err instanceof Error)
    return err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message;
  return String(err);
}

/** Waits `ms`; false when `signal` aborted first. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
