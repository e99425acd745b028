import { afterEach, describe, expect, it, vi } from "vitest";
import type { BridgeEventPayload } from "../shared/bridge/channels";
import { FakeNodeHid, RECORDED, type HidapiRecord } from "../hardware/hid/fake-node-hid";
import { SimulatedJig, simulatedJigInfo } from "../hardware/jig/simulated-jig";
import { buildScannedDataReports } from "../hardware/scanner/hid-pos-report";

// node-hid replaced by a fake that lists and opens recorded interfaces: the real
// NodeHidMonitor, NodeHidTransport, HID-POS driver and jig driver run above it unchanged.
const fake = vi.hoisted(() => ({ current: null as FakeNodeHid | null }));
vi.mock("node-hid", () => ({
  default: {
    HIDAsync: { open: (path: string) => (fake.current as FakeNodeHid).HIDAsync.open(path) },
    devicesAsync: () => (fake.current as FakeNodeHid).devicesAsync(),
  },
}));

const { createDeviceRegistry } = await import("./device-registry");
const { UsbDevices, parseUsbIds } = await import("./usb-devices");
const { createUsbScannerService } = await import("./scanner-service");
const { createHostServices } = await import("./host-services");
const { station, bookedHub, hubId, MODEL, FROM } = await import("./jig/simulated-station");

const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const until = async (check: () => boolean, what: string, ms = 5000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

const stops: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** Host services over USB devices found through the fake node-hid. */
async function usbHost(devicesPlugged: HidapiRecord[], jigIds = "") {
  fake.current = new FakeNodeHid();
  for (const d of devicesPlugged) fake.current.plug(d);
  const registry = createDeviceRegistry();
  const ids = parseUsbIds(jigIds);
  if (!ids.ok) throw new Error(ids.reason);
  const usb = new UsbDevices({ registry, jigIds: ids.ids, pollMs: 20 });
  const scanner = createUsbScannerService(usb);
  const services = await createHostServices({
    shell: "browser",
    config: {
      centralUrl: "http://127.0.0.1:4010",
      centralToken: null,
      dockId: "dock-1",
      site: { facilityId: "F", name: "Dock", csp: "North", production: false },
      version: "0.0.0",
      simulated: false,
    },
    dataDir: null,
    scanner,
    devices: registry,
  });
  const events: Array<BridgeEventPayload<"scanner.scan">> = [];
  services.subscribe((event, payload) => {
    if (event === "scanner.scan") events.push(payload as BridgeEventPayload<"scanner.scan">);
  });
  await usb.start();
  stops.push(() => services.close());
  return { hid: fake.current, registry, usb, services, events };
}

describe("USB devices through node-hid (DOCK_HARDWARE=auto)", () => {
  it("opens HID-POS scanners by usage page 0x8C, never their keyboard interface or other HID devices", async () => {
    const { hid, services } = await usbHost([
      RECORDED.honeywellHidPos,
      RECORDED.zebraHidPos,
      RECORDED.zebraKeyboard,
      RECORDED.mouse,
    ]);
    expect([...hid.handles.keys()].sort()).toEqual([RECORDED.honeywellHidPos.path, RECORDED.zebraHidPos.path].sort());
    const { devices } = await services.handlers["devices.list"]({});
    expect(devices.map((d) => [d.id, d.kind, d.name, d.state, d.simulated])).toEqual([
      ["SCN-21046B4F3A", "scanner", "Honeywell 1950g HID POS", "connected", false],
      ["SCN-S22153523021234", "scanner", "Zebra DS2208 HID POS", "connected", false],
    ]);
  });

  it("turns a scanner's Scanned Data reports into reads on the bridge, one report or several, and shows the last read", async () => {
    const { hid, services, events } = await usbHost([RECORDED.honeywellHidPos]);
    const sscc = "00393999000000000019";
    for (const r of buildScannedDataReports(latin1(sscc), "]C1")) hid.input(RECORDED.honeywellHidPos.path, r);
    // A DataMatrix longer than one report's 56 data bytes arrives in two, the first flagged "more follows".
    const long = `]d2\x1d01095012345678903${"\x1d"}10ABC123\x1d21${"7".repeat(60)}`;
    for (const r of buildScannedDataReports(latin1(long), "]d2")) hid.input(RECORDED.honeywellHidPos.path, r);
    await until(() => events.length === 2, "two reads");
    expect(events.map((e) => [e.raw, e.symbology, e.scannerId])).toEqual([
      [sscc, "]C1", "SCN-21046B4F3A"],
      [long, "]d2", "SCN-21046B4F3A"],
    ]);
    // Journalled until the renderer acknowledges them.
    expect(services.reads.pending().total).toBe(2);
    const { devices } = await services.handlers["devices.list"]({});
    expect(devices[0]?.lastRead?.raw).toBe(long.replace(/\x1d/g, "⟨GS⟩").slice(0, 200));
  });

  it("drops a malformed report with a message the operator can act on, and reads on", async () => {
    const { hid, services, events } = await usbHost([RECORDED.zebraHidPos]);
    const good = buildScannedDataReports(latin1("88-73-84-57-00-2F-00-01"), null)[0] as Uint8Array;
    hid.input(RECORDED.zebraHidPos.path, good.subarray(0, 32));
    await until(() => services.handlers !== undefined && (fake.current?.handles.size ?? 0) > 0, "the scanner");
    const detail = async () => (await services.handlers["devices.list"]({})).devices[0]?.detail;
    const end = Date.now() + 2000;
    while ((await detail()) === null && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
    expect(await detail()).toBe("a read was dropped: report is 32 bytes, expected 64; scan that code again");
    expect(events).toEqual([]);
    hid.input(RECORDED.zebraHidPos.path, good);
    await until(() => events.length === 1, "the next read");
    expect(events[0]?.raw).toBe("88-73-84-57-00-2F-00-01");
  });

  it("follows unplug and re-plug while running, and says why a device could not be opened", async () => {
    const { hid, registry } = await usbHost([RECORDED.honeywellHidPos]);
    hid.unplug(RECORDED.honeywellHidPos.path);
    await until(() => registry.list()[0]?.state === "disconnected", "the unplug");
    // Back on another port: another hidraw node, same serial, same device on the panel.
    hid.plug({ ...RECORDED.honeywellHidPos, path: "/dev/hidraw9" });
    await until(() => registry.list()[0]?.state === "connected" && hid.handles.has("/dev/hidraw9"), "the re-plug");
    hid.plug(RECORDED.zebraHidPos, { openError: "cannot open device with path /dev/hidraw5" });
    await until(() => registry.list().some((d) => d.state === "failed"), "the refused open");
    expect(registry.list().find((d) => d.state === "failed")?.detail).toMatch(
      /could not be opened: cannot open device .*udev rule/,
    );
  });

  it("opens a listed jig with our protocol, flashes a hub on it, and names the jig vanishing mid-flash", async () => {
    const jigRecord: HidapiRecord = {
      ...simulatedJigInfo("JIG-U"),
      path: "/dev/hidraw7",
      release: 1,
      interface: 0,
      product: "Re-Flash Multi-Jig",
    };
    fake.current = new FakeNodeHid();
    const sim = new SimulatedJig(fake.current.plugSimulator(jigRecord), {
      serial: "JIG-U",
      flashTimeMs: 5,
      progressTicks: 4,
    });
    const st = await station({ jigs: 0, service: { reconnectTimeoutMs: 200 } });
    stops.push(() => st.dispose());
    const registry = createDeviceRegistry();
    const usb = new UsbDevices({
      registry,
      jigIds: [{ vendorId: jigRecord.vendorId, productId: jigRecord.productId }],
      pollMs: 20,
    });
    stops.push(() => usb.stop());
    usb.on("jig", (link) => void st.service.attachJig(link));
    await usb.start();
    await until(() => st.service.slotViews().length === 8, "the jig on the station");
    expect(registry.list().map((d) => [d.id, d.kind, d.state])).toEqual([["JIG-JIG-U", "jig", "connected"]]);

    const first = hubId(1);
    st.hubs.set(first, bookedHub(first));
    sim.seatHub(0, { deviceId: first, model: MODEL, firmwareVersion: FROM });
    const loaded = await st.service.load({ jigId: "JIG-U", slot: 0, deviceId: first, operatorId: "OP-1" });
    if (!loaded.ok) throw new Error(loaded.reason);
    expect((await loaded.done).phase).toBe("flashed");

    // The second hub's flash runs long; the jig is unplugged while it programs.
    const second = hubId(2);
    st.hubs.set(second, bookedHub(second));
    sim.seatHub(1, { deviceId: second, model: MODEL, firmwareVersion: FROM }, { flashTimeMs: 5000 });
    const running = await st.service.load({ jigId: "JIG-U", slot: 1, deviceId: second, operatorId: "OP-1" });
    if (!running.ok) throw new Error(running.reason);
    await until(() => st.service.slotViews()[1]?.step === "commit", "the commit");
    fake.current.unplug(jigRecord.path);
    const end = await running.done;
    expect(end.phase).toBe("failed");
    expect(end.reason).toMatch(/commit failed: .*; the jig did not come back/);
    await until(() => registry.list()[0]?.state === "disconnected", "the panel");
    expect(registry.list()[0]?.detail).toMatch(/^lost: /);
  });
});

describe("USB_JIG_IDS", () => {
  it("reads hex vendor:product pairs and names what is not one", () => {
    expect(parseUsbIds("1209:4A16, 0483:5750")).toEqual({
      ok: true,
      ids: [
        { vendorId: 0x1209, productId: 0x4a16 },
        { vendorId: 0x0483, productId: 0x5750 },
      ],
    });
    expect(parseUsbIds("")).toEqual({ ok: true, ids: [] });
    expect(parseUsbIds("1209-4A16")).toEqual({
      ok: false,
      reason: '"1209-4A16" is not a USB vendor:product pair such as 1209:7D01',
    });
  });
});
