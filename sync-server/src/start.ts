// Brings the store up: open PGlite or PostgreSQL, migrate, insert the bootstrap tokens, start the pusher.
import type { Config } from './config';
import { type Database, migrateDatabase, openDatabase } from './db/client';
import { putToken } from './db/tokens';
import { Pusher } from './push';
import type { Ready } from './ready';

export async function openStore(config: Pick<Config, 'databaseUrl' | 'dbDir'>): Promise<Database> {
  const database = await openDatabase(
    config.databaseUrl ? { url: config.databaseUrl } : { dir: config.dbDir },
  );
  try {
    await migrateDatabase(database);
  } catch (err) {
    await database.close().catch(() => undefined);
    throw err;
  }
  return database;
}

/** Tokens given in the environment replace the stored ones of the same id (so rotating them is a restart). */
export async function bootstrapTokens(database: Database, config: Pick<Config, 'adminToken' | 'readToken'>) {
  if (config.adminToken) await putToken(database.db, 'env-admin', 'admin', config.adminToken);
  if (config.readToken) await putToken(database.db, 'env-read', 'read', config.readToken);
}

export async function startStore(config: Config, log: (message: string) => void): Promise<Ready> {
  const database = await openStore(config);
  await bootstrapTokens(database, config);
  const pusher = new Pusher({ db: database.db, options: config.push, log });
  return { database, pusher };
}
