import { describe, expect, it } from "vitest";
import { createMemoryTransportPair } from "./memory-transport";

const info = { path: "sim://x", vendorId: 1, productId: 2 };
const tick = () => new Promise((r) => setImmediate(r));

describe("in-memory HID transport pair", () => {
  it("carries copies of reports both ways, in order", async () => {
    const { host, device } = createMemoryTransportPair(info);
    const toDevice: number[][] = [];
    const toHost: number[][] = [];
    device.onReport((r) => toDevice.push([...r]));
    host.onReport((r) => toHost.push([...r]));
    await host.open();
    const out = Uint8Array.of(1, 2);
    await host.write(out);
    await host.write(Uint8Array.of(3));
    out[0] = 9; // the sender reusing its buffer must not change what was sent
    device.send(Uint8Array.of(4));
    await tick();
    await tick();
    expect(toDevice).toEqual([[1, 2], [3]]);
    expect(toHost).toEqual([[4]]);
  });

  it("detach closes the host end once; re-attach lets it open again", async () => {
    const { host, device } = createMemoryTransportPair(info);
    const reasons: string[] = [];
    host.onDetach((r) => reasons.push(r));
    await host.open();
    device.detach("unplugged");
    device.detach("again");
    expect([host.isOpen, reasons]).toEqual([false, ["unplugged"]]);
    await expect(host.write(Uint8Array.of(1))).rejects.toThrow(/not open/);
    await expect(host.open()).rejects.toThrow(/not attached/);
    device.reattach();
    await host.open();
    expect(host.isOpen).toBe(true);
  });
});
