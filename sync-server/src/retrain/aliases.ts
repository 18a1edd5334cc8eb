// Alias moves made by the server itself (the retrainer): the same locked transaction, history row, shape
// notification and production push as POST /v1/models/{version}/aliases.
import { DEFAULT_MODEL_NAME } from '@pmm/core/sync';
import type { Db } from '../db/client';
import { appendAliasHistory, lockAlias, pointAlias, resolveAlias, retireChallenger } from '../db/registry';
import type { Pusher } from '../push';
import { notifyShapeChange } from '../shapes';

export type AliasMove =
  | { readonly changed: true; readonly from: string | null }
  | { readonly changed: false; readonly current: string | null; readonly why: 'unchanged' | 'moved' };

/**
 * Points `alias` of `name` at `version` unless it already does, or (with `expected`) unless it no longer points at
 * `expected` (someone moved it meanwhile). A production move starts the push to every edge.
 */
export async function moveAlias(
  db: Db,
  pusher: Pusher,
  change: {
    /** The model name (default churn); the version must be one of its versions. */
    name?: string;
    alias: string;
    version: string;
    actor: string;
    reason: string;
    expected?: string | null;
  },
): Promise<AliasMove> {
  const name = change.name ?? DEFAULT_MODEL_NAME;
  const outcome = await db.transaction(async (tx): Promise<AliasMove> => {
    await lockAlias(tx, change.alias, name);
    const current = await resolveAlias(tx, change.alias, name);
    if (current === change.version) return { changed: false, current, why: 'unchanged' };
    if (change.expected !== undefined && current !== change.expected) {
      return { changed: false, current, why: 'moved' };
    }
    await pointAlias(tx, change.alias, change.version, name);
    await appendAliasHistory(tx, {
      name,
      alias: change.alias,
      from: current,
      to: change.version,
      actor: change.actor,
      reason: change.reason,
    });
    if (change.alias === 'production') await retireChallenger(tx, change.version, change.actor, name);
    return { changed: true, from: current };
  });
  if (outcome.changed) {
    notifyShapeChange('alias_history');
    if (change.alias === 'production') {
      pusher
        .pushAll(change.version)
        .catch((err) => console.error(`push of ${change.version} failed to start:`, err));
    }
  }
  return outcome;
}
