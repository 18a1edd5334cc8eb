// Alias moves made by the server itself (the retrainer): the same locked transaction, history row, shape
// notification and production push as POST /v1/models/{version}/aliases.
import type { Db } from '../db/client';
import { appendAliasHistory, lockAlias, pointAlias, resolveAlias, retireChallenger } from '../db/registry';
import type { Pusher } from '../push';
import { notifyShapeChange } from '../shapes';

export type AliasMove =
  | { readonly changed: true; readonly from: string | null }
  | { readonly changed: false; readonly current: string | null; readonly why: 'unchanged' | 'moved' };

/**
 * Points `alias` at `version` unless it already does, or (with `expected`) unless it no longer points at
 * `expected` (someone moved it meanwhile). A production move starts the push to every edge.
 */
export async function moveAlias(
  db: Db,
  pusher: Pusher,
  change: { alias: string; version: string; actor: string; reason: string; expected?: string | null },
): Promise<AliasMove> {
  const outcome = await db.transaction(async (tx): Promise<AliasMove> => {
    await lockAlias(tx, change.alias);
    const current = await resolveAlias(tx, change.alias);
    if (current === change.version) return { changed: false, current, why: 'unchanged' };
    if (change.expected !== undefined && current !== change.expected) {
      return { changed: false, current, why: 'moved' };
    }
    await pointAlias(tx, change.alias, change.version);
    await appendAliasHistory(tx, {
      alias: change.alias,
      from: current,
      to: change.version,
      actor: change.actor,
      reason: change.reason,
    });
    if (change.alias === 'production') await retireChallenger(tx, change.version, change.actor);
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
