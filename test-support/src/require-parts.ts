// The one rule for a test whose real part is missing: under CI it fails naming the part; elsewhere it skips, loudly.
import { existsSync } from 'node:fs';

/**
 * Checks the real parts a suite needs. A part is present when its value is `true` or a path that exists.
 * Returns true when all are present. When some are missing: under `CI=true` it throws an error naming each one
 * (so the test file fails); otherwise it warns and returns false, for `describe.skipIf(!ready)`.
 *
 *   const ready = requireParts('full loop', { 'Telco data': telcoCsvPath(), Chromium: CHROMIUM_PATH });
 */
export function requireParts(
  suite: string,
  parts: Record<string, string | boolean>,
  env: Record<string, string | undefined> = process.env,
): boolean {
  const missing = Object.entries(parts)
    .filter(([, value]) => (typeof value === 'string' ? !existsSync(value) : !value))
    .map(([name, value]) => (typeof value === 'string' ? `${name} (${value})` : name));
  if (missing.length === 0) return true;
  const what = `${suite} needs ${missing.join(', ')}`;
  if (isCi(env)) throw new Error(`${what}: missing under CI, where no test may skip`);
  console.warn(`${what}: missing, so these tests are skipped (under CI=true they fail)`);
  return false;
}

function isCi(env: Record<string, string | undefined>): boolean {
  const ci = env['CI'];
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}
