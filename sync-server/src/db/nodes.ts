// Edge nodes: registration (with their ingest token), contact and model state, and the log of model pushes.
import { DEFAULT_MODEL_NAME } from '@pmm/core/sync';
import { asc, desc, eq, sql } from 'drizzle-orm';
import { type Db, type Executor, rows } from './client';
import { nodePushes, nodes, tokens } from './schema';
import { generateToken, generateTokenId, hashToken } from './tokens';

export interface NodeTarget {
  readonly nodeId: string;
  readonly url: string;
  readonly adminToken: string;
}

export type PushStatus = 'succeeded' | 'failed' | 'gave_up' | 'rejected' | 'superseded';

export interface PushRecord {
  readonly id: string;
  readonly node_id: string;
  readonly name: string;
  readonly version: string;
  readonly attempt: number;
  readonly status: PushStatus;
  readonly http_status: number | null;
  readonly error: string | null;
  readonly at: string;
}

/** Registers a node and creates its ingest token; null when the node id is taken. The token is returned once. */
export async function registerNode(
  db: Db,
  node: { nodeId: string; url: string; adminToken: string },
): Promise<{ registeredAt: Date; ingestToken: string; tokenId: string } | null> {
  return db.transaction(async (tx) => {
    const [inserted] = await tx
      .insert(nodes)
      .values({ nodeId: node.nodeId, url: node.url, adminToken: node.adminToken })
      .onConflictDoNothing({ target: nodes.nodeId })
      .returning({ registeredAt: nodes.registeredAt });
    if (!inserted) return null;
    const ingestToken = generateToken();
    const tokenId = generateTokenId('ingest');
    await tx
      .insert(tokens)
      .values({ id: tokenId, role: 'ingest', nodeId: node.nodeId, sha256: hashToken(ingestToken) });
    return { registeredAt: inserted.registeredAt, ingestToken, tokenId };
  });
}

export async function listNodeTargets(db: Db): Promise<NodeTarget[]> {
  return db
    .select({ nodeId: nodes.nodeId, url: nodes.url, adminToken: nodes.adminToken })
    .from(nodes)
    .orderBy(asc(nodes.nodeId));
}

export async function getNodeTarget(db: Db, nodeId: string): Promise<NodeTarget | null> {
  const [row] = await db
    .select({ nodeId: nodes.nodeId, url: nodes.url, adminToken: nodes.adminToken })
    .from(nodes)
    .where(eq(nodes.nodeId, nodeId));
  return row ?? null;
}

export async function listNodes(db: Db, now: Date) {
  const found = await db
    .select({
      nodeId: nodes.nodeId,
      url: nodes.url,
      registeredAt: nodes.registeredAt,
      lastContactAt: nodes.lastContactAt,
      activeModelVersion: nodes.activeModelVersion,
    })
    .from(nodes)
    .orderBy(asc(nodes.nodeId));
  const lastPushes = await rows<PushRow>(
    db,
    sql`select distinct on (node_id) ${pushColumns} from node_pushes order by node_id, id desc`,
  );
  const byNode = new Map(lastPushes.map((p) => [p.node_id, toPush(p)]));
  return found.map((n) => ({
    node_id: n.nodeId,
    url: n.url,
    registered_at: n.registeredAt.toISOString(),
    last_contact_at: n.lastContactAt?.toISOString() ?? null,
    sync_lag_seconds: n.lastContactAt
      ? Math.max(0, (now.getTime() - n.lastContactAt.getTime()) / 1000)
      : null,
    active_model_version: n.activeModelVersion,
    last_push: byNode.get(n.nodeId) ?? null,
  }));
}

type PushRow = {
  id: string;
  node_id: string;
  name: string;
  version: string;
  attempt: number;
  status: PushStatus;
  http_status: number | null;
  error: string | null;
  at: string;
};

const pushColumns = sql.raw(
  `id::text as id, node_id, name, version, attempt, status, http_status, error,
   to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at`,
);

const toPush = (r: PushRow): PushRecord => ({ ...r, attempt: Number(r.attempt) });

export async function listPushes(db: Executor, nodeId: string, limit: number): Promise<PushRecord[]> {
  const found = await rows<PushRow>(
    db,
    sql`select ${pushColumns} from node_pushes where node_id = ${nodeId} order by id desc limit ${limit}`,
  );
  return found.map(toPush);
}

export async function recordPush(
  db: Db,
  push: {
    nodeId: string;
    /** The model name pushed (default churn). */
    name?: string;
    version: string;
    attempt: number;
    status: PushStatus;
    httpStatus: number | null;
    error: string | null;
  },
): Promise<void> {
  const name = push.name ?? DEFAULT_MODEL_NAME;
  await db.insert(nodePushes).values({ ...push, name });
  // `active_model_version` is the node's default model (the seed's `/api/v1/predict`).
  if (push.status === 'succeeded' && name === DEFAULT_MODEL_NAME) {
    await db
      .update(nodes)
      .set({ activeModelVersion: push.version, activeModelAt: sql`now()` })
      .where(eq(nodes.nodeId, push.nodeId));
  }
}

export async function lastPush(db: Db, nodeId: string) {
  const [row] = await db
    .select()
    .from(nodePushes)
    .where(eq(nodePushes.nodeId, nodeId))
    .orderBy(desc(nodePushes.id))
    .limit(1);
  return row ?? null;
}

/**
 * Nodes that neither run `version` of `name` nor answered for it for good (installed it, or refused it with
 * a 4xx). `active_model_version` only speaks for the default name.
 */
export async function nodesAwaiting(db: Executor, name: string, version: string): Promise<NodeTarget[]> {
  const runsIt =
    name === DEFAULT_MODEL_NAME ? sql`n.active_model_version is not distinct from ${version}` : sql`false`;
  return rows<NodeTarget>(
    db,
    sql`select n.node_id as "nodeId", n.url, n.admin_token as "adminToken" from nodes n
        where not (${runsIt})
          and not exists (select 1 from node_pushes p where p.node_id = n.node_id and p.version = ${version}
                          and p.status in ('succeeded', 'rejected'))
        order by n.node_id`,
  );
}
