// The app's long-lived objects, created once: the store, the analysis worker, the outbox, the sync engine.
import { createContext, useContext } from 'react';
import type { AnalysisClient } from './analysis/client';
import type { PmmDb } from './store/db';
import type { SyncStatus } from './sync/engine';
import type { Outbox } from './sync/outbox';

/** Where a link inside the app leads: a drift report or a retraining run in the reports view. */
export type Destination =
  | { readonly kind: 'report' | 'run'; readonly id: string }
  | { readonly kind: 'reports' };

export interface Services {
  readonly db: PmmDb;
  readonly analysis: AnalysisClient;
  readonly outbox: Outbox | null;
  readonly sync: SyncStatus | null;
  /** Imported CSV files, kept for the session. */
  readonly csvFiles: readonly { name: string; text: string }[];
  addCsv(file: { name: string; text: string }): void;
  flushOutbox(): Promise<void>;
  /** The sync server and read token from the settings (null until set): for reads not synced (retrain runs). */
  readonly server: { readonly url: string; readonly readToken: string } | null;
  /** Opens the reports view at a drift report or retraining run. */
  navigate(to: Destination): void;
  /** The registered model every view shows (the header's picker): its versions, aliases and features. */
  readonly modelName: string;
}

export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('ServicesContext missing');
  return services;
}
