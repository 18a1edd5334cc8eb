// The IPC contract between Electron main and the renderer: channel names and the typed API the preload exposes.

/** A file the user picked, read by main. */
export interface PickedFile {
  readonly name: string;
  readonly text: string;
}

/** Settings main stores in the user's profile (the admin token is kept apart, encrypted). */
export interface DesktopSettings {
  readonly serverUrl: string;
  readonly readToken: string;
}

export type MenuCommand = 'import-csv' | 'export-report' | 'open-settings';

/** What the renderer sees as `window.pmm`: one function per IPC message. */
export interface PmmApi {
  /** Shows an open dialog for a CSV file; `null` when cancelled. */
  openCsv(): Promise<PickedFile | null>;
  /** Shows a save dialog and writes the HTML report; the path written, or `null` when cancelled. */
  exportReport(html: string, suggestedName: string): Promise<string | null>;
  getSettings(): Promise<DesktopSettings | null>;
  setSettings(settings: DesktopSettings): Promise<void>;
  /** The admin token, decrypted; `null` when none is stored. */
  getAdminToken(): Promise<string | null>;
  /** Stores the admin token with the OS keychain (`safeStorage`); `null` clears it. Returns whether it is encrypted. */
  setAdminToken(token: string | null): Promise<{ encrypted: boolean }>;
  /** Subscribes to menu commands; returns the unsubscribe function. */
  onMenu(listener: (command: MenuCommand) => void): () => void;
}

export const IPC = {
  openCsv: 'pmm:open-csv',
  exportReport: 'pmm:export-report',
  getSettings: 'pmm:get-settings',
  setSettings: 'pmm:set-settings',
  getAdminToken: 'pmm:get-admin-token',
  setAdminToken: 'pmm:set-admin-token',
  menu: 'pmm:menu',
} as const;
