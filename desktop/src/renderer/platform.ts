// What differs between Electron (window.pmm from the preload) and the plain web app (file input, download, localStorage).
import type { DesktopSettings, MenuCommand, PickedFile, PmmApi } from '../shared/ipc';

declare global {
  interface Window {
    pmm?: PmmApi;
  }
}

export interface Platform {
  readonly kind: 'electron' | 'web';
  /** Opens a CSV: the native dialog in Electron; in the web app the caller shows a file input instead. */
  readonly openCsv: (() => Promise<PickedFile | null>) | null;
  saveReport(html: string, suggestedName: string): Promise<string | null>;
  getSettings(): Promise<DesktopSettings>;
  setSettings(settings: DesktopSettings): Promise<void>;
  getAdminToken(): Promise<string | null>;
  setAdminToken(token: string | null): Promise<{ encrypted: boolean }>;
  onMenu(listener: (command: MenuCommand) => void): () => void;
}

const DEFAULT_SETTINGS: DesktopSettings = {
  serverUrl: (import.meta.env['VITE_PMM_SYNC_URL'] as string | undefined) ?? '',
  readToken: (import.meta.env['VITE_PMM_READ_TOKEN'] as string | undefined) ?? '',
};

function electron(api: PmmApi): Platform {
  return {
    kind: 'electron',
    openCsv: () => api.openCsv(),
    saveReport: (html, name) => api.exportReport(html, name),
    getSettings: async () => ({ ...DEFAULT_SETTINGS, ...((await api.getSettings()) ?? {}) }),
    setSettings: (s) => api.setSettings(s),
    getAdminToken: () => api.getAdminToken(),
    setAdminToken: (t) => api.setAdminToken(t),
    onMenu: (l) => api.onMenu(l),
  };
}

const SETTINGS_KEY = 'pmm.settings';
const ADMIN_KEY = 'pmm.adminToken';

function web(): Platform {
  return {
    kind: 'web',
    openCsv: null,
    async saveReport(html, name) {
      const url = URL.createObjectURL(new Blob([html], { type: 'text/html' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      return name;
    },
    async getSettings() {
      try {
        return { ...DEFAULT_SETTINGS, ...JSON.parse(localStorage.getItem(SETTINGS_KEY) ?? '{}') };
      } catch {
        return DEFAULT_SETTINGS;
      }
    },
    async setSettings(s) {
      localStorage.setItem(SETTINGS_KEY, JSON.stringify(s));
    },
    async getAdminToken() {
      return localStorage.getItem(ADMIN_KEY);
    },
    async setAdminToken(token) {
      if (token) localStorage.setItem(ADMIN_KEY, token);
      else localStorage.removeItem(ADMIN_KEY);
      return { encrypted: false };
    },
    onMenu: () => () => {},
  };
}

export const platform: Platform = typeof window !== 'undefined' && window.pmm ? electron(window.pmm) : web();

/** Reads a File from an <input type="file"> as a picked file. */
export async function readPicked(file: File): Promise<PickedFile> {
  return { name: file.name, text: await file.text() };
}
