import type { WebContents } from "electron";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  BRIDGE_CHANNELS,
  BRIDGE_EVENTS,
  bridgeErrorCode,
  bridgeEvents,
  bridgeRequests,
  type DockBridge,
} from "../shared/bridge/channels";
import { loadHostConfig } from "../host/config";
import { createHostServices, type HostServices } from "../host/host-services";
import type { FakeFrame } from "./in-memory-ipc";

const fake = await vi.hoisted(async () => (await import("./in-memory-ipc")).createInMemoryElectron());
vi.mock("electron", () => fake.module);

const { serveBridgeOverIpc, requestIpcName, eventIpcName } = await import("./typed-ipc");
await import("./preload");

function dock(): DockBridge {
  return fake.exposed.get("dock") as DockBridge;
}

/** Calls the bridge with what the types forbid, as a hostile page could. */
function untyped(): {
  invoke(channel: unknown, args: unknown): Promise<unknown>;
  on(event: unknown, listener: unknown): () => void;
} {
  return dock() as unknown as {
    invoke(channel: unknown, args: unknown): Promise<unknown>;
    on(event: unknown, listener: unknown): () => void;
  };
}

async function codeOf(promise: Promise<unknown>): Promise<string | null> {
  try {
    await promise;
    return "resolved";
  } catch (err) {
    return bridgeErrorCode(err);
  }
}

describe("preload: window.dock is exactly the channel map", () => {
  it("exposes one global, `dock`, with exactly invoke and on", () => {
    expect([...fake.exposed.keys()]).toEqual(["dock"]);
    expect(Object.keys(dock()).sort()).toEqual(["invoke", "on"]);
  });

  it("reaches ipcRenderer on exactly the map's request channels, and on nothing else", async () => {
    const invoke = vi.spyOn(fake.module.ipcRenderer, "invoke");
    try {
      const probes = [
        ...BRIDGE_CHANNELS,
        "hub.erase",
        "__proto__",
        "constructor",
        "toString",
        "dock:request:host.info",
        "",
        42,
        null,
      ];
      for (const channel of probes) await codeOf(untyped().invoke(channel, {}));
      const reached = new Set(invoke.mock.calls.map((call) => call[0]));
      expect(reached).toEqual(new Set(Object.keys(bridgeRequests).map((c) => `dock:request:${c}`)));
      expect(reached).toEqual(new Set(BRIDGE_CHANNELS.map(requestIpcName)));
    } finally {
      invoke.mockRestore();
    }
  });

  it("refuses a name outside the map without touching IPC, naming it", async () => {
    const invoke = vi.spyOn(fake.module.ipcRenderer, "invoke");
    try {
      await expect(untyped().invoke("hub.erase", {})).rejects.toThrow(/^unknown-channel: .*hub\.erase/);
      expect(invoke).not.toHaveBeenCalled();
    } finally {
      invoke.mockRestore();
    }
  });

  it("subscribes on exactly the map's events; unknown events are refused", () => {
    for (const event of BRIDGE_EVENTS) {
      const before = fake.rendererSide.listenerCount(eventIpcName(event));
      const off = dock().on(event, () => undefined);
      expect(fake.rendererSide.listenerCount(eventIpcName(event))).toBe(before + 1);
      off();
      off();
      expect(fake.rendererSide.listenerCount(eventIpcName(event))).toBe(before);
    }
    expect(Object.keys(bridgeEvents).sort()).toEqual([...BRIDGE_EVENTS].sort());
    expect(() => untyped().on("dock:event:scanner.scan", () => undefined)).toThrow(/unknown-channel/);
    expect(() => untyped().on("journal.changed", "not a function")).toThrow(/bad-request/);
  });

  it("hands listeners the payload only (never the IPC event), and drops payloads that fail the schema", () => {
    const heard: unknown[][] = [];
    const off = dock().on("journal.changed", (...args: unknown[]) => heard.push(args));
    fake.contents.mainFrame.send(eventIpcName("journal.changed"), { pending: 3 });
    fake.contents.mainFrame.send(eventIpcName("journal.changed"), { pending: -1 });
    fake.contents.mainFrame.send(eventIpcName("journal.changed"), "garbage");
    off();
    expect(heard).toEqual([[{ pending: 3 }]]);
  });
});

describe("main: every ipcMain handler checks the sender frame", () => {
  let services: HostServices;
  let stop: () => void;
  const logged: string[] = [];

  beforeEach(async () => {
    const loaded = loadHostConfig({});
    if (!loaded.ok) throw new Error(loaded.error);
    services = await createHostServices({ shell: "electron", config: loaded.config, dataDir: null });
    stop = serveBridgeOverIpc({
      handlers: services.handlers,
      subscribe: (listener) => services.subscribe(listener),
      trustedContents: () => fake.contents as unknown as WebContents,
      log: (m) => logged.push(m),
    });
  });
  afterEach(async () => {
    fake.sendFromMainFrame();
    fake.contents.mainFrame.url = "app://dock/index.html";
    stop();
    await services.close();
    logged.length = 0;
  });

  const frame = (over: Partial<FakeFrame>): FakeFrame => ({ ...fake.contents.mainFrame, ...over });

  it("binds exactly the map's channels", () => {
    expect(new Set(fake.handlers.keys())).toEqual(new Set(BRIDGE_CHANNELS.map(requestIpcName)));
  });

  it("answers our window's main frame", async () => {
    const info = await dock().invoke("host.info", {});
    expect(info.shell).toBe("electron");
  });

  const foreign: Array<[string, () => void, RegExp]> = [
    [
      "a frame of another origin",
      () => fake.sendFrom({ frame: frame({ url: "https://evil.example/", origin: "https://evil.example" }) }),
      /origin/,
    ],
    [
      "a subframe of our page",
      () => fake.sendFrom({ frame: frame({ parent: fake.contents.mainFrame, routingId: 2 }) }),
      /subframe/,
    ],
    ["another main frame claiming our URL", () => fake.sendFrom({ frame: frame({ routingId: 9 }) }), /main frame/],
    [
      "another web contents",
      () => fake.sendFrom({ contents: { isDestroyed: () => false }, frame: frame({}) }),
      /another web contents/,
    ],
    ["a frame that is gone", () => fake.sendFrom({ frame: null }), /gone/],
  ];
  for (const [who, arrange, reason] of foreign) {
    it(`refuses ${who}, and runs nothing`, async () => {
      const scans: string[] = [];
      const off = services.scanner.onScan((s) => scans.push(s.raw));
      arrange();
      await expect(dock().invoke("scanner.simulate", { raw: "X" })).rejects.toThrow(reason);
      expect(await codeOf(dock().invoke("host.info", {}))).toBe("bad-request");
      off();
      expect(scans).toEqual([]);
      expect(logged.some((m) => m.startsWith("ipc: refused"))).toBe(true);
    });
  }

  it("refuses everything once the window is gone", async () => {
    fake.contents.destroyed = true;
    try {
      await expect(dock().invoke("host.info", {})).rejects.toThrow(/not open/);
    } finally {
      fake.contents.destroyed = false;
    }
  });

  it("validates arguments with the shared schemas (extra IPC arguments too)", async () => {
    expect(await codeOf(untyped().invoke("journal.ack", { ids: ["nope"] }))).toBe("bad-request");
    const answer = await fake.module.ipcRenderer.invoke(requestIpcName("host.info"), {}, "extra");
    expect(answer).toMatchObject({ ok: false, error: { code: "bad-request" } });
  });

  it("sends events only while our page is in the window", async () => {
    const heard: string[] = [];
    const off = dock().on("scanner.scan", (s) => heard.push(s.raw));
    await dock().invoke("scanner.simulate", { raw: "OURS" });
    fake.contents.mainFrame.url = "https://evil.example/";
    await services.scanner.simulate("LEAKED");
    off();
    expect(heard).toEqual(["OURS"]);
  });

  it("unbinding removes every handler", () => {
    stop();
    expect(fake.handlers.size).toBe(0);
    stop = () => undefined;
  });
});
