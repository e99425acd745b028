import type { WebContents } from "electron";
import { describe, it, vi } from "vitest";
import type { DockBridge } from "../shared/bridge/channels";
import { bridgeContractChecks, type BridgeUnderTest } from "../shared/bridge/contract";
import { loadHostConfig } from "../host/config";
import { createHostServices } from "../host/host-services";

// The real preload and the real main-side binding, with Electron's IPC replaced by an in-memory pair.
const fake = await vi.hoisted(async () => (await import("./in-memory-ipc")).createInMemoryElectron());
vi.mock("electron", () => fake.module);

const { serveBridgeOverIpc } = await import("./typed-ipc");
await import("./preload");

const loaded = loadHostConfig({ DOCK_ID: "dock-electron-test" });
if (!loaded.ok) throw new Error(loaded.error);
const config = loaded.config;

/** The same host services the browser shell binds, bound to ipcMain; the page's view is the preload's `window.dock`. */
async function electronBridge(): Promise<BridgeUnderTest> {
  const services = await createHostServices({ shell: "electron", config, dataDir: null });
  const stop = serveBridgeOverIpc({
    handlers: services.handlers,
    subscribe: (listener) => services.subscribe(listener),
    trustedContents: () => fake.contents as unknown as WebContents,
    log: () => undefined,
  });
  const bridge = fake.exposed.get("dock") as DockBridge | undefined;
  if (bridge === undefined) throw new Error("the preload exposed no window.dock");
  return {
    bridge,
    seedJournal: async (kind, payload) => {
      await services.journal.append(kind, payload);
    },
    close: async () => {
      stop();
      await services.close();
    },
  };
}

describe("bridge contract: Electron shell (preload + ipcMain, in-memory IPC)", () => {
  for (const check of bridgeContractChecks) {
    it(check.name, async () => {
      const subject = await electronBridge();
      try {
        await check.run(subject);
      } finally {
        await subject.close();
      }
    });
  }
});
