// Electron main: the window (sandboxed, context-isolated), the menu, file dialogs and settings behind IPC.
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  type MenuItemConstructorOptions,
  net,
  protocol,
  shell,
} from 'electron';
import { type DesktopSettings, IPC, type MenuCommand } from '../shared/ipc';
import { ISOLATION_HEADERS } from '../shared/isolation';
import { getAdminToken, getSettings, setAdminToken, setSettings } from './settings';

/** The renderer's dev server (`npm run dev` in desktop/), else the built files. */
const devUrl = process.env['PMM_DESKTOP_DEV_URL'];
const rendererDir = join(__dirname, '../renderer');

// The built renderer is served from app://pmm/ rather than file://: module workers, fetch and IndexedDB
// need a real (secure, standard) origin.
protocol.registerSchemesAsPrivileged([
  { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
]);

function serveRenderer(): void {
  protocol.handle('app', (request) => {
    const { pathname } = new URL(request.url);
    const file = normalize(
      join(rendererDir, decodeURIComponent(pathname === '/' ? '/index.html' : pathname)),
    );
    if (!file.startsWith(rendererDir + sep)) return new Response('not found', { status: 404 });
    return net.fetch(pathToFileURL(file).toString()).then((response) => {
      const headers = new Headers(response.headers);
      for (const [name, value] of Object.entries(ISOLATION_HEADERS)) headers.set(name, value);
      return new Response(response.body, { status: response.status, headers });
    });
  });
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1360,
    height: 900,
    title: 'pmm',
    webPreferences: {
      preload: join(__dirname, '../preload/index.cjs'),
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
    },
  });
  // Links in reports and the app open in the user's browser, never in a new app window.
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https:') || url.startsWith('http:')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  if (devUrl) void win.loadURL(devUrl);
  else void win.loadURL('app://pmm/index.html');
  return win;
}

function send(command: MenuCommand): void {
  BrowserWindow.getFocusedWindow()?.webContents.send(IPC.menu, command);
}

function buildMenu(): Menu {
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Import CSV…', accelerator: 'CmdOrCtrl+O', click: () => send('import-csv') },
        { label: 'Export report…', accelerator: 'CmdOrCtrl+E', click: () => send('export-report') },
        { type: 'separator' },
        { label: 'Settings…', accelerator: 'CmdOrCtrl+,', click: () => send('open-settings') },
        { type: 'separator' },
        process.platform === 'darwin' ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
  ];
  return Menu.buildFromTemplate(template);
}

function registerIpc(): void {
  ipcMain.handle(IPC.openCsv, async (event) => {
    const win = BrowserWindow.fromWebContents(event.sender);
    const options = {
      title: 'Import CSV',
      properties: ['openFile' as const],
      filters: [{ name: 'CSV', extensions: ['csv', 'txt'] }],
    };
    const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
    const path = result.filePaths[0];
    if (result.canceled || !path) return null;
    return { name: basename(path), text: await readFile(path, 'utf8') };
  });
  ipcMain.handle(IPC.exportReport, async (event, html: unknown, suggestedName: unknown) => {
    if (typeof html !== 'string') throw new TypeError('exportReport: html must be a string');
    const win = BrowserWindow.fromWebContents(event.sender);
    const options = {
      title: 'Export drift report',
      defaultPath: typeof suggestedName === 'string' ? suggestedName : 'drift-report.html',
      filters: [{ name: 'HTML', extensions: ['html'] }],
    };
    const result = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
    if (result.canceled || !result.filePath) return null;
    await writeFile(result.filePath, html, 'utf8');
    return result.filePath;
  });
  ipcMain.handle(IPC.getSettings, () => getSettings());
  ipcMain.handle(IPC.setSettings, (_event, settings: DesktopSettings) => setSettings(settings));
  ipcMain.handle(IPC.getAdminToken, () => getAdminToken());
  ipcMain.handle(IPC.setAdminToken, (_event, token: unknown) =>
    setAdminToken(typeof token === 'string' ? token : null),
  );
}

app.whenReady().then(() => {
  serveRenderer();
  registerIpc();
  Menu.setApplicationMenu(buildMenu());
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
