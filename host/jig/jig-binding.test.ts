import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { bridgeErrorCode, type BridgeEventPayload } from "../../shared/bridge/channels";
import { createBridgeClient, type BridgeClient } from "../../shared/bridge/client";
import { BRIDGE_PATH } from "../bridge-server";
import { startBrowserShell, type BrowserShell } from "../browser-shell";
import { loadHostConfig } from "../config";
import { createBookedHubRegistry } from "./jig-binding";
import { bookedHub, station, TARGET, type Station } from "./simulated-station";

// The jig station (host/jig/, on simulated jigs) driven over the real WebSocket bridge.

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const undo of cleanup.reverse()) await undo();
  cleanup.length = 0;
});

function config() {
  const loaded = loadHostConfig({ HOST_PORT: "0", RENDERER_DIST: "/nonexistent" });
  if (!loaded.ok) throw new Error(loaded.error);
  return loaded.config;
}

async function connect(shell: BrowserShell): Promise<BridgeClient> {
  const client = createBridgeClient({
    secret: () => shell.secret,
    timers: { set: (fn, ms) => setTimeout(fn, ms), clear: (h) => clearTimeout(h as NodeJS.Timeout) },
    openSocket(events) {
      const ws = new WebSocket(`ws://127.0.0.1:${shell.port}${BRIDGE_PATH}`, {
        origin: shell.origin,
        headers: { Cookie: shell.cookie },
      });
      ws.on("open", () => events.open());
      ws.on("message", (data) => events.message(String(data)));
      ws.on("close", (code, reason) => events.close(code, reason.toString()));
      ws.on("error", () => undefined);
      return { send: (t) => ws.send(t), close: (c, r) => ws.close(c, r) };
    },
  });
  cleanup.push(async () => client.close());
  await client.ready();
  return client;
}

async function jigShell(): Promise<{ shell: BrowserShell; st: Station; bridge: BridgeClient }> {
  const bookedHubs = createBookedHubRegistry();
  const st = await station({ service: { lookupHub: bookedHubs.lookup } });
  cleanup.push(() => st.dispose());
  const shell = await startBrowserShell({ config: config(), dataDir: null, jig: { service: st.service, bookedHubs } });
  cleanup.push(() => shell.close());
  return { shell, st, bridge: await connect(shell) };
}

describe("jig channels over the bridge", () => {
  it("lists the slots, flashes a loaded hub with slot events, and journals the result until acknowledged", async () => {
    const { st, bridge } = await jigShell();
    const jigId = st.jigs[0]?.id ?? "";
    const { slots } = await bridge.invoke("jig.slots", {});
    expect(slots.filter((s) => s.jigId === jigId)).toHaveLength(8);

    const phases: Array<BridgeEventPayload<"jig.slot">["phase"]> = [];
    const flashed = new Promise<void>((resolve) =>
      bridge.on("jig.slot", (view) => {
        phases.push(view.phase);
        if (view.phase === "flashed") resolve();
      }),
    );
    const deviceId = st.seat(0, 3, 42);
    const loaded = await bridge.invoke("jig.load", {
      jigId,
      slot: 3,
      deviceId: deviceId.replaceAll("-", "").toLowerCase(),
      operatorId: "tech-1",
      booked: { hub: bookedHub(deviceId), bookingRef: "BK-0001" },
    });
    expect(loaded).toEqual({ ok: true, deviceId, toVersion: TARGET });
    await flashed;
    expect(phases[0]).toBe("flashing");

    const pending = await bridge.invoke("journal.pending", {});
    expect(pending.entries.map((e) => e.kind)).toEqual(["flash.result"]);
    expect(pending.entries[0]?.payload).toMatchObject({ deviceId, outcome: "flashed", slot: 3 });
    const ack = await bridge.invoke("journal.ack", { ids: pending.entries.map((e) => e.id) });
    expect(ack).toEqual({ acknowledged: 1, remaining: 0 });
    expect(await bridge.invoke("jig.unload", { jigId, slot: 3 })).toEqual({ ok: true });
  });

  it("answers a refusal by name, and a hub the renderer never sent as booked is not-booked", async () => {
    const { st, bridge } = await jigShell();
    const jigId = st.jigs[0]?.id ?? "";
    const deviceId = st.seat(0, 0, 7);
    const notEligible = await bridge.invoke("jig.load", {
      jigId,
      slot: 0,
      deviceId,
      operatorId: "tech-1",
      booked: { hub: bookedHub(deviceId, { smiStatus: "Commissioned" }), bookingRef: "BK-0001" },
    });
    expect(notEligible).toMatchObject({ ok: false, code: "not-eligible" });
    const other = await bridge.invoke("jig.load", {
      jigId,
      slot: 1,
      deviceId: "88-73-84-57-00-2F-AA-AA",
      operatorId: "tech-1",
      booked: { hub: bookedHub(deviceId), bookingRef: "BK-0001" },
    });
    expect(other).toMatchObject({ ok: false, code: "not-booked" });
    // Unloading an empty slot is a no-op, as the jig service defines it.
    expect(await bridge.invoke("jig.unload", { jigId: "JIG-Z", slot: 0 })).toEqual({ ok: true });
  });

  it("without a jig station the jig channels say unavailable", async () => {
    const shell = await startBrowserShell({ config: config(), dataDir: null });
    cleanup.push(() => shell.close());
    const bridge = await connect(shell);
    const err = await bridge.invoke("jig.slots", {}).catch((e: unknown) => e);
    expect(bridgeErrorCode(err)).toBe("unavailable");
  });
});
