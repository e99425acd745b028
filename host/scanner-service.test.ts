import { afterEach, describe, expect, it } from "vitest";
import type { ScannerScan } from "../shared/bridge/channels";
import { bridgeErrorCode } from "../shared/bridge/channels";
import { createSimulatedScannerService, type ScannerService } from "./scanner-service";

let service: ScannerService | null = null;
afterEach(async () => {
  await service?.close();
  service = null;
});

describe("simulated HID-POS scanner service", () => {
  it("carries a long GS1 read across several HID reports intact, with its AIM identifier", async () => {
    service = await createSimulatedScannerService(() => new Date("2026-11-26T10:00:00.000Z"));
    const heard: ScannerScan[] = [];
    service.onScan((s) => heard.push(s));
    const raw = `00123456789012345675\x1d${"240".repeat(90)}`;
    const scan = await service.simulate(raw, "]C1");
    expect(scan).toEqual({
      source: "hid-pos",
      raw,
      at: "2026-11-26T10:00:00.000Z",
      scannerId: "simulated",
      symbology: "]C1",
    });
    expect(heard).toEqual([scan]);
  });

  it("answers concurrent simulations each with its own read, in order", async () => {
    service = await createSimulatedScannerService();
    const reads = await Promise.all(["A1", "B2", "C3"].map((raw) => service!.simulate(raw)));
    expect(reads.map((r) => [r.raw, r.symbology])).toEqual([
      ["A1", undefined],
      ["B2", undefined],
      ["C3", undefined],
    ]);
  });

  it("refuses what no HID-POS scanner can send, and emits nothing", async () => {
    service = await createSimulatedScannerService();
    const heard: ScannerScan[] = [];
    service.onScan((s) => heard.push(s));
    const err = await service.simulate("€").catch((e: unknown) => e);
    expect(bridgeErrorCode(err)).toBe("bad-request");
    expect((await service.simulate("OK")).raw).toBe("OK");
    expect(heard.map((s) => s.raw)).toEqual(["OK"]);
  });
});
