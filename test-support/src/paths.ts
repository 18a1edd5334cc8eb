// Where tests find the Telco data and write their screenshots, relative to the repository, never absolute.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/** The repository root (the folder holding test-support/). */
export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * The Telco CSV for tests: `PMM_TELCO_CSV` when set, else `data/telco.csv` (what `pmm data fetch` writes) when it
 * exists, else the offline copy beside the repository (`../shared/data/telco-customer-churn.csv`).
 */
export function telcoCsvPath(): string {
  const fromEnv = process.env['PMM_TELCO_CSV'];
  if (fromEnv) return path.resolve(fromEnv);
  const fetched = path.join(REPO_ROOT, 'data', 'telco.csv');
  if (existsSync(fetched)) return fetched;
  return path.resolve(REPO_ROOT, '../shared/data/telco-customer-churn.csv');
}

/**
 * Where a test writes a screenshot: `test-results/screenshots/<suite>/<name>.png` under the repository, which git
 * ignores, so `npm test` never rewrites a committed file (`npm run screenshots` refreshes the README's pictures).
 */
export function screenshotPath(suite: string, name: string): string {
  const dir = path.join(REPO_ROOT, 'test-results', 'screenshots', suite);
  mkdirSync(dir, { recursive: true });
  return path.join(dir, name.endsWith('.png') ? name : `${name}.png`);
}
