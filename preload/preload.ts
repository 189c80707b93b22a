/** Electron preload (sandboxed, bundled to CJS): exposes `window.kyso` and nothing else. */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { buildPreloadApi } from './api.js';

contextBridge.exposeInMainWorld('kyso', buildPreloadApi(ipcRenderer, (file: File) => webUtils.getPathForFile(file)));
