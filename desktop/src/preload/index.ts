// The preload: exposes `window.pmm`, one typed function per IPC message, never ipcRenderer itself.
import { contextBridge, type IpcRendererEvent, ipcRenderer } from 'electron';
import { IPC, type MenuCommand, type PmmApi } from '../shared/ipc';

const api: PmmApi = {
  openCsv: () => ipcRenderer.invoke(IPC.openCsv),
  exportReport: (html, suggestedName) => ipcRenderer.invoke(IPC.exportReport, html, suggestedName),
  getSettings: () => ipcRenderer.invoke(IPC.getSettings),
  setSettings: (settings) => ipcRenderer.invoke(IPC.setSettings, settings),
  getAdminToken: () => ipcRenderer.invoke(IPC.getAdminToken),
  setAdminToken: (token) => ipcRenderer.invoke(IPC.setAdminToken, token),
  onMenu: (listener) => {
    const handler = (_event: IpcRendererEvent, command: MenuCommand) => listener(command);
    ipcRenderer.on(IPC.menu, handler);
    return () => ipcRenderer.removeListener(IPC.menu, handler);
  },
};

contextBridge.exposeInMainWorld('pmm', api);
