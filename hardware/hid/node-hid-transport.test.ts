import { EventEmitter } from "node:events";
import { beforeEach, describe, expect, it, vi } from "vitest";

// node-hid replaced: no USB here. The fake records writes and lets tests emit data/errors.
class FakeHidAsync extends EventEmitter {
  static opened: FakeHidAsync[] = [];
  writes: Buffer[] = [];
  closed = false;
  failWrites = false;
  static async open(path: string): Promise<FakeHidAsync> {
    const d = new FakeHidAsync();
    d.path = path;
    FakeHidAsync.opened.push(d);
    return d;
  }
  path = "";
  async write(values: Buffer): Promise<number> {
    if (this.failWrites) throw new Error("could not write to HID device");
    await new Promise((r) => setTimeout(r, 1));
    this.writes.push(values);
    return values.length;
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}
const listing: { value: Array<Record<string, unknown>> } = { value: [] };

vi.mock("node-hid", () => ({
  default: { HIDAsync: FakeHidAsync, devicesAsync: async () => listing.value },
}));

const { NodeHidTransport, NodeHidMonitor } = await import("./node-hid-transport");

const info = { path: "/dev/hidraw3", vendorId: 0x1234, productId: 0x5678 };

describe("NodeHidTransport", () => {
  beforeEach(() => {
    FakeHidAsync.opened = [];
  });

  it("prefixes the report ID, pads to the report length and keeps call order", async () => {
    const t = new NodeHidTransport(info, { reportId: 0, outputReportLength: 4 });
    await t.open();
    await Promise.all([t.write(Uint8Array.of(1)), t.write(Uint8Array.of(2, 2)), t.write(Uint8Array.of(3))]);
    const dev = FakeHidAsync.opened[0];
    expect(dev?.writes.map((b) => [...b])).toEqual([
      [0, 1, 0, 0, 0],
      [0, 2, 2, 0, 0],
      [0, 3, 0, 0, 0],
    ]);
  });

  it("delivers input reports, stripping a numbered report ID", async () => {
    const t = new NodeHidTransport(info, { numberedInputReports: true });
    await t.open();
    const got: number[][] = [];
    t.onReport((r) => got.push([...r]));
    FakeHidAsync.opened[0]?.emit("data", Buffer.from([2, 9, 8]));
    expect(got).toEqual([[9, 8]]);
  });

  it("turns a read error into one detach and closes the device", async () => {
    const t = new NodeHidTransport(info);
    await t.open();
    const reasons: string[] = [];
    t.onDetach((r) => reasons.push(r));
    FakeHidAsync.opened[0]?.emit("error", new Error("could not read from HID device"));
    await new Promise((r) => setTimeout(r, 0));
    expect(reasons).toEqual(["could not read from HID device"]);
    expect(t.isOpen).toBe(false);
    expect(FakeHidAsync.opened[0]?.closed).toBe(true);
    await expect(t.write(Uint8Array.of(1))).rejects.toThrow(/not open/);
  });

  it("a failed write detaches and rejects", async () => {
    const t = new NodeHidTransport(info);
    await t.open();
    const dev = FakeHidAsync.opened[0];
    if (dev) dev.failWrites = true;
    let detached = false;
    t.onDetach(() => (detached = true));
    await expect(t.write(Uint8Array.of(1))).rejects.toThrow(/could not write/);
    expect(detached).toBe(true);
  });
});

describe("NodeHidMonitor", () => {
  it("emits attach, detach and re-attach from successive enumerations, filtered by usage page", async () => {
    const m = new NodeHidMonitor({ usagePage: 0x8c }, 60_000);
    const seen: string[] = [];
    m.on("attach", (i) => seen.push(`+${i.path}`));
    m.on("detach", (i) => seen.push(`-${i.path}`));
    const scanner = { path: "a", vendorId: 1, productId: 2, usagePage: 0x8c, release: 0, interface: 0 };
    const keyboard = { path: "k", vendorId: 1, productId: 3, usagePage: 0x01, release: 0, interface: 0 };
    listing.value = [scanner, keyboard];
    await m.poll();
    listing.value = [keyboard];
    await m.poll();
    listing.value = [{ ...scanner, path: "b" }];
    await m.poll();
    expect(seen).toEqual(["+a", "-a", "+b"]);
    expect(m.present().map((i) => i.path)).toEqual(["b"]);
    m.stop();
  });

  it("lists again at once on a hot-plug event instead of waiting for the next poll, with several filters", async () => {
    const { EventEmitter: Emitter } = await import("node:events");
    const hotplug = new Emitter();
    const m = new NodeHidMonitor([{ usagePage: 0x8c }, { vendorId: 0x1209, productId: 0x4a16 }], 60_000, hotplug);
    const seen: string[] = [];
    m.on("attach", (i) => seen.push(`+${i.path}`));
    listing.value = [];
    await m.start();
    listing.value = [
      { path: "jig", vendorId: 0x1209, productId: 0x4a16, usagePage: 0xff00, release: 0, interface: 0 },
      { path: "mouse", vendorId: 0x046d, productId: 0xc077, usagePage: 0x01, release: 0, interface: 0 },
    ];
    hotplug.emit("attach");
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual(["+jig"]);
    m.stop();
    expect(hotplug.listenerCount("attach")).toBe(0);
  });
});
