import { contextBridge } from "electron";
import type { DockBridge } from "../shared/bridge/channels";
import { createIpcDockBridge } from "./typed-ipc";

/**
 * The preload (sandboxed, context-isolated): puts exactly one thing into the page,
 * `window.dock`, the bridge's channel map over IPC. No ipcRenderer, no Node, no generic
 * "send anything" function. Bundled to one file (dist/electron/preload.js) because a
 * sandboxed preload may require only "electron" and a few polyfilled modules.
 */

/** The name the renderer finds the bridge under (renderer/bridge/dock-bridge.ts reads window.dock). */
export const DOCK_GLOBAL = "dock";

const bridge: DockBridge = createIpcDockBridge();
// A plain object of the two functions: contextBridge copies it, and the `satisfies` keeps it exactly the declared API.
const exposed = { invoke: bridge.invoke, on: bridge.on } satisfies DockBridge;
contextBridge.exposeInMainWorld(DOCK_GLOBAL, exposed);
