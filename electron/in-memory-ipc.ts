import { EventEmitter } from "node:events";
import type { WebContents, WebFrameMain } from "electron";
import { APP_ENTRY_URL, APP_ORIGIN } from "./app-origin";

/**
 * Test support: the parts of the `electron` module the bridge wiring uses (ipcMain,
 * ipcRenderer, contextBridge, a window's web contents), joined in memory so the real
 * preload and the real main-side binding talk to each other in a vitest process. Values are
 * copied with structuredClone both ways, as Electron's IPC does, and the contextBridge
 * stand-in keeps only the message of an error, as the real one does.
 */

type Handler = (event: { sender: WebContents; senderFrame: WebFrameMain | null }, ...args: unknown[]) => unknown;

export interface FakeFrame {
  url: string;
  origin: string;
  parent: FakeFrame | null;
  processId: number;
  routingId: number;
  send(channel: string, ...args: unknown[]): void;
}

export interface FakeWebContents {
  destroyed: boolean;
  mainFrame: FakeFrame;
  isDestroyed(): boolean;
}

/** A fresh in-memory electron. `sender` says who the next ipcRenderer call comes from (default: our window's main frame). */
export function createInMemoryElectron() {
  const handlers = new Map<string, Handler>();
  const rendererSide = new EventEmitter();
  const exposed = new Map<string, unknown>();

  const contents: FakeWebContents = {
    destroyed: false,
    mainFrame: undefined as unknown as FakeFrame,
    isDestroyed: () => contents.destroyed,
  };
  contents.mainFrame = {
    url: APP_ENTRY_URL,
    origin: APP_ORIGIN,
    parent: null,
    processId: 7,
    routingId: 1,
    send: (channel, ...args) => {
      rendererSide.emit(channel, { sender: "ipc-renderer-event" }, ...args.map((a) => structuredClone(a)));
    },
  };
  const state = { sender: { contents: contents as unknown, frame: contents.mainFrame as FakeFrame | null } };

  const ipcMain = {
    handle(channel: string, handler: Handler) {
      if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
      handlers.set(channel, handler);
    },
    removeHandler(channel: string) {
      handlers.delete(channel);
    },
  };

  const ipcRenderer = {
    async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
      const handler = handlers.get(channel);
      if (handler === undefined)
        throw new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`);
      const event = {
        sender: state.sender.contents as WebContents,
        senderFrame: state.sender.frame as unknown as WebFrameMain | null,
      };
      return structuredClone(await handler(event, ...args.map((a) => structuredClone(a))));
    },
    on(channel: string, listener: (...args: unknown[]) => void) {
      rendererSide.on(channel, listener);
      return ipcRenderer;
    },
    removeListener(channel: string, listener: (...args: unknown[]) => void) {
      rendererSide.removeListener(channel, listener);
      return ipcRenderer;
    },
  };

  /** Calls through the bridge the way the page sees them: arguments copied, rejections reduced to their message. */
  function crossContextBridge(api: unknown): unknown {
    if (typeof api !== "object" || api === null) return api;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(api)) {
      out[key] =
        typeof value === "function"
          ? (...args: unknown[]) => {
              const result: unknown = value(...args.map((a) => (typeof a === "function" ? a : structuredClone(a))));
              if (result instanceof Promise) {
                return result.then(
                  (v: unknown) => structuredClone(v),
                  (err: unknown) => {
                    throw new Error(err instanceof Error ? err.message : String(err));
                  },
                );
              }
              return result;
            }
          : structuredClone(value);
    }
    return Object.freeze(out);
  }

  const contextBridge = {
    exposeInMainWorld(key: string, api: unknown) {
      if (exposed.has(key))
        throw new Error(`Cannot bind an API on top of an existing property on the window object: ${key}`);
      exposed.set(key, crossContextBridge(api));
    },
  };

  return {
    /** What `vi.mock("electron", ...)` returns. */
    module: { ipcMain, ipcRenderer, contextBridge },
    handlers,
    rendererSide,
    exposed,
    /** The dock window's web contents (the trusted one). */
    contents,
    /** Makes the following requests come from another frame or web contents. */
    sendFrom(sender: { contents?: unknown; frame: FakeFrame | null }) {
      state.sender = { contents: sender.contents ?? contents, frame: sender.frame };
    },
    /** Requests come from our window's main frame again. */
    sendFromMainFrame() {
      state.sender = { contents, frame: contents.mainFrame };
    },
  };
}

export type InMemoryElectron = ReturnType<typeof createInMemoryElectron>;
