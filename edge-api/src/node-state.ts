// The node's small key/value state in D1 (`node_state`: cursors, watermarks, last errors), read and written the
// same way by the log store and the monitor's profile store.

export async function readNodeState(db: D1Database, key: string): Promise<string | null> {
  const row = await db
    .prepare('SELECT value FROM node_state WHERE key = ?1')
    .bind(key)
    .first<{ value: string }>();
  return row?.value ?? null;
}

export async function writeNodeState(db: D1Database, key: string, value: string): Promise<void> {
  await db
    .prepare(
      'INSERT INTO node_state (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    )
    .bind(key, value)
    .run();
}
