// Where things are on disk: the repo root and the shared data folder beside it.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (the folder holding cli/). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The offline copy of the Telco CSV that sits beside the repo (`../shared/data/`). */
export const SHARED_TELCO_CSV = path.resolve(REPO_ROOT, '../shared/data/telco-customer-churn.csv');

/** The default place `pmm data fetch` writes the data set to. */
export const DEFAULT_TELCO_CSV = path.join('data', 'telco.csv');

export function sharedTelcoAvailable(): boolean {
  return existsSync(SHARED_TELCO_CSV);
}
