// The app's long-lived objects, created once: the store, the analysis worker, the outbox, the sync engine.
import { createContext, useContext } from 'react';
import type { AnalysisClient } from './analysis/client';
import type { PmmDb } from './store/db';
import type { SyncStatus } from './sync/engine';
import type { Outbox } from './sync/outbox';

export interface Services {
  readonly db: PmmDb;
  readonly analysis: AnalysisClient;
  readonly outbox: Outbox | null;
  readonly sync: SyncStatus | null;
  /** Imported CSV files, kept for the session. */
  readonly csvFiles: readonly { name: string; text: string }[];
  addCsv(file: { name: string; text: string }): void;
  flushOutbox(): Promise<void>;
}

export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('ServicesContext missing');
  return services;
}
