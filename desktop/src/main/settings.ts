// Settings in the user's profile: a JSON file in userData; the admin token encrypted with safeStorage when available.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { app, safeStorage } from 'electron';
import type { DesktopSettings } from '../shared/ipc';

interface StoredSettings {
  settings?: DesktopSettings;
  /** base64 of safeStorage ciphertext, or of the plain token when encryption is unavailable. */
  adminToken?: { data: string; encrypted: boolean };
}

const file = (): string => join(app.getPath('userData'), 'settings.json');

async function load(): Promise<StoredSettings> {
  try {
    return JSON.parse(await readFile(file(), 'utf8')) as StoredSettings;
  } catch {
    return {};
  }
}

async function save(stored: StoredSettings): Promise<void> {
  await writeFile(file(), JSON.stringify(stored, null, 2), { mode: 0o600 });
}

export async function getSettings(): Promise<DesktopSettings | null> {
  return (await load()).settings ?? null;
}

export async function setSettings(settings: DesktopSettings): Promise<void> {
  const stored = await load();
  await save({
    ...stored,
    settings: { serverUrl: String(settings.serverUrl), readToken: String(settings.readToken) },
  });
}

export async function getAdminToken(): Promise<string | null> {
  const token = (await load()).adminToken;
  if (!token) return null;
  const bytes = Buffer.from(token.data, 'base64');
  return token.encrypted ? safeStorage.decryptString(bytes) : bytes.toString('utf8');
}

export async function setAdminToken(token: string | null): Promise<{ encrypted: boolean }> {
  const stored = await load();
  if (token === null || token === '') {
    delete stored.adminToken;
    await save(stored);
    return { encrypted: false };
  }
  const encrypted = safeStorage.isEncryptionAvailable();
  const data = encrypted ? safeStorage.encryptString(token) : Buffer.from(token, 'utf8');
  await save({ ...stored, adminToken: { data: data.toString('base64'), encrypted } });
  return { encrypted };
}
