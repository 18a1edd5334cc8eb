// Alias changes as a service: one locked transaction with its history rows, idempotent replays, and what follows
// a commit (shape notification, the production push, a promoted challenger's alias retired).
import { createHash } from 'node:crypto';
import { ValidationError } from '@pmm/core/http';
import { DEFAULT_MODEL_NAME } from '@pmm/core/sync';
import type { Database, Db } from '../db/client';
import {
  type AliasChange,
  appendAliasHistory,
  dropAlias,
  findIdempotent,
  lockAlias,
  lockKey,
  modelNameOf,
  pointAlias,
  resolveAlias,
  retireChallenger,
  storeIdempotent,
} from '../db/registry';
import { ConflictError, NotFoundError } from '../errors';
import type { Pusher } from '../push';
import { notifyShapeChange } from '../shapes';

/** What an alias change answers (and what a replayed Idempotency-Key answers again). */
export interface AliasResult {
  /** The model name whose alias this is. */
  readonly name: string;
  readonly alias: string;
  readonly version: string | null;
  readonly previous_version: string | null;
  readonly changed: boolean;
  readonly change: AliasChange | null;
  /** A promotion of the challenger's version clears the challenger alias: that history row, else null. */
  readonly challenger_cleared: AliasChange | null;
}

export interface AliasOutcome {
  readonly result: AliasResult;
  /** The stored result of an earlier request with the same Idempotency-Key. */
  readonly replayed: boolean;
}

/** Who asks, and the Idempotency-Key (scoped to the token) if any. */
export interface AliasRequester {
  readonly tokenId: string;
  readonly actor: string;
  readonly idempotencyKey?: string | undefined;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function aliasConflict(
  name: string,
  alias: string,
  current: string | null,
  expected: string | null,
): ConflictError {
  return new ConflictError(
    'alias_conflict',
    `alias ${alias} of ${name} points to ${current ?? '(nothing)'}, not ${expected ?? '(nothing)'}`,
    { name, alias, current_version: current, expected_version: expected },
  );
}

/** The open database and the pusher (a 503 while the server is starting); a production move pushes its name. */
export type AliasDeps = () => {
  readonly database: Pick<Database, 'db'>;
  readonly pusher: Pick<Pusher, 'pushAll'>;
};

export class AliasChanges {
  readonly #ready: AliasDeps;

  constructor(ready: AliasDeps) {
    this.#ready = ready;
  }

  /**
   * Points `alias` of the version's model name at `version` (with `expectedVersion`, only if the alias points
   * there now; null: only if it is unset). With `name`, the version must belong to that name (422 naming
   * `version` otherwise). Moving production to the challenger's version clears the challenger alias in the
   * same transaction, so the app never compares a model with itself.
   */
  async set(
    who: AliasRequester,
    request: {
      name?: string | undefined;
      version: string;
      alias: string;
      reason?: string | undefined;
      expectedVersion?: string | null;
    },
  ): Promise<AliasOutcome> {
    const { version, alias } = request;
    const { db } = this.#ready().database;
    // A version's name never changes, so it is read before the lock that the name picks.
    const name = await modelNameOf(db, version);
    if (name === null) throw new NotFoundError(`model version ${version} is not registered`);
    if (request.name !== undefined && request.name !== name) {
      throw new ValidationError([
        { path: 'version', message: `version ${version} belongs to model ${name}, not ${request.name}` },
      ]);
    }
    const fingerprint = {
      op: 'set',
      name,
      version,
      body: {
        alias,
        ...(request.reason !== undefined ? { reason: request.reason } : {}),
        ...(request.expectedVersion !== undefined ? { expected_version: request.expectedVersion } : {}),
      },
    };
    const outcome = await this.#transaction(who, fingerprint, async (tx) => {
      await lockAlias(tx, alias, name);
      const current = await resolveAlias(tx, alias, name);
      if (request.expectedVersion !== undefined && request.expectedVersion !== current) {
        throw aliasConflict(name, alias, current, request.expectedVersion);
      }
      if (current === version) {
        return {
          name,
          alias,
          version,
          previous_version: current,
          changed: false,
          change: null,
          challenger_cleared: null,
        };
      }
      await pointAlias(tx, alias, version, name);
      const change = await appendAliasHistory(tx, {
        name,
        alias,
        from: current,
        to: version,
        actor: who.actor,
        reason: request.reason ?? null,
      });
      const cleared = alias === 'production' ? await retireChallenger(tx, version, who.actor, name) : null;
      return {
        name,
        alias,
        version,
        previous_version: current,
        changed: true,
        change,
        challenger_cleared: cleared,
      };
    });
    if (!outcome.replayed && outcome.result.changed) {
      notifyShapeChange('alias_history');
      if (alias === 'production') {
        this.#ready()
          .pusher.pushAll(version)
          .catch((err) => console.error(`push of ${version} failed to start:`, err));
      }
    }
    return outcome;
  }

  /** Removes `alias` of `name` (default churn; with `expectedVersion`, only if it points there now). */
  async remove(
    who: AliasRequester,
    request: {
      name?: string | undefined;
      alias: string;
      reason?: string | undefined;
      expectedVersion?: string | undefined;
    },
  ): Promise<AliasOutcome> {
    const { alias } = request;
    const name = request.name ?? DEFAULT_MODEL_NAME;
    const query = {
      ...(request.reason !== undefined ? { reason: request.reason } : {}),
      ...(request.expectedVersion !== undefined ? { expected_version: request.expectedVersion } : {}),
    };
    const fingerprint = { op: 'delete', alias, query, ...(name !== DEFAULT_MODEL_NAME && { name }) };
    const outcome = await this.#transaction(who, fingerprint, async (tx) => {
      await lockAlias(tx, alias, name);
      const current = await resolveAlias(tx, alias, name);
      if (current === null) throw new NotFoundError(`alias ${alias} of ${name} is not set`);
      if (request.expectedVersion !== undefined && request.expectedVersion !== current) {
        throw aliasConflict(name, alias, current, request.expectedVersion);
      }
      await dropAlias(tx, alias, name);
      const change = await appendAliasHistory(tx, {
        name,
        alias,
        from: current,
        to: null,
        actor: who.actor,
        reason: request.reason ?? null,
      });
      return {
        name,
        alias,
        version: null,
        previous_version: current,
        changed: true,
        change,
        challenger_cleared: null,
      };
    });
    if (!outcome.replayed) notifyShapeChange('alias_history');
    return outcome;
  }

  /** Runs `change` in one transaction; a repeated Idempotency-Key replays the stored result instead. */
  async #transaction(
    who: AliasRequester,
    fingerprint: unknown,
    change: (tx: Db) => Promise<AliasResult>,
  ): Promise<AliasOutcome> {
    const { db } = this.#ready().database;
    const key = who.idempotencyKey;
    const scope = who.tokenId;
    const requestSha256 = sha256(JSON.stringify(fingerprint));
    return db.transaction(async (tx) => {
      if (key) {
        await lockKey(tx, `pmm-idempotency:${scope}:${key}`);
        const stored = await findIdempotent(tx, scope, key);
        if (stored) {
          if (stored.requestSha256 !== requestSha256) {
            throw new ConflictError(
              'idempotency_key_reused',
              'this Idempotency-Key was already used for a different request',
            );
          }
          return { result: stored.response as AliasResult, replayed: true };
        }
      }
      const result = await change(tx as unknown as Db);
      if (key) await storeIdempotent(tx, scope, key, { requestSha256, status: 200, response: result });
      return { result, replayed: false };
    });
  }
}
