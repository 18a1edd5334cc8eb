// The local stack's tokens: generated on first run into <home>/dev-tokens.json (git-ignored) and reused after.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { CliError } from '../util/cli-error';

const tokenSchema = z.string().min(16);
export const devTokensSchema = z.object({
  admin: tokenSchema,
  read: tokenSchema,
  /** Issued by the sync server when the edge node is registered; absent until then. */
  ingest: tokenSchema.optional(),
  edge_admin: tokenSchema,
});
export type DevTokens = z.infer<typeof devTokensSchema>;

export function devTokensPath(home: string): string {
  return path.join(home, 'dev-tokens.json');
}

const newToken = (prefix: string) => `${prefix}_${randomBytes(24).toString('base64url')}`;

/** Reads the tokens file, or creates one with fresh admin, read and edge-admin tokens. */
export async function loadOrCreateDevTokens(home: string): Promise<{ tokens: DevTokens; created: boolean }> {
  const file = devTokensPath(home);
  let text: string | null = null;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (text !== null) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new CliError(`${file} is not valid JSON: fix it or delete it to generate new tokens`);
    }
    const result = devTokensSchema.safeParse(parsed);
    if (!result.success) {
      const issue = result.error.issues[0]!;
      throw new CliError(`${file}: ${issue.path.join('.')}: ${issue.message} (fix it or delete it)`);
    }
    return { tokens: result.data, created: false };
  }
  const tokens: DevTokens = { admin: newToken('adm'), read: newToken('read'), edge_admin: newToken('edge') };
  await saveDevTokens(home, tokens);
  return { tokens, created: true };
}

export async function saveDevTokens(home: string, tokens: DevTokens): Promise<void> {
  await mkdir(home, { recursive: true });
  await writeFile(devTokensPath(home), `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });
}
