import type { DockBridge } from "../../shared/bridge/channels";
import { connectBridge } from "./connect-bridge";

declare global {
  interface Window {
    /** The bridge the shell hands the renderer: Electron's preload sets it; the browser shell's is made by connectBridge. */
    dock?: DockBridge;
  }
}

/** The renderer's one way to the host: Electron's `window.dock`, else a WebSocket bridge to the browser shell (then set as `window.dock`). */
export async function getDockBridge(): Promise<DockBridge> {
  if (window.dock !== undefined) return window.dock;
  const bridge = await connectBridge();
  window.dock = bridge;
  return bridge;
}
