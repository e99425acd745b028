import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildScannedDataReports, parseScannedDataReport } from "./hid-pos-report";
import type { HidPosRead } from "./hid-pos-scanner";
import { HidPosScanner } from "./hid-pos-scanner";
import { SimulatedScanner } from "./simulated-scanner";

const latin1 = fc.string({
  unit: fc.integer({ min: 1, max: 255 }).map((c) => String.fromCharCode(c)),
  minLength: 1,
  maxLength: 300,
});
const aim = fc.option(
  fc.tuple(fc.constantFrom("C", "d", "Q", "e"), fc.constantFrom("0", "1", "2")).map(([a, b]) => `]${a}${b}`),
  { nil: null },
);

function driver(now = () => new Date(0)) {
  const reads: HidPosRead[] = [];
  const errors: string[] = [];
  const { pair } = SimulatedScanner.create();
  const scanner = new HidPosScanner(pair.host, "S1", { now });
  scanner.on("scan", (r) => reads.push(r));
  scanner.on("error", (e) => errors.push(e));
  return { scanner, reads, errors };
}

describe("HID-POS scanner", () => {
  it("reassembles any read, GS included, from the reports the simulator sends", () => {
    fc.assert(
      fc.property(latin1, aim, (data, sym) => {
        const { scanner, reads, errors } = driver();
        const bytes = Uint8Array.from(data, (c) => c.charCodeAt(0));
        for (const r of buildScannedDataReports(bytes, sym)) scanner.onReport(r);
        expect(errors).toEqual([]);
        expect(reads.map((r) => [r.raw, r.symbology])).toEqual([[data, sym]]);
      }),
      { numRuns: 300 },
    );
  });

  it("drops the rest of a read after a malformed report instead of emitting its tail", () => {
    const { scanner, reads, errors } = driver();
    const reports = buildScannedDataReports(new Uint8Array(150).fill(0x41), "]C0");
    const bad = reports[0]!.slice();
    bad[1] = 99;
    scanner.onReport(bad);
    for (const r of reports.slice(1)) scanner.onReport(r);
    expect([reads, errors]).toEqual([[], ["data count 99 exceeds 56"]]);
  });

  it("never throws on garbage reports", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 0, maxLength: 70 }), { maxLength: 5 }), (reports) => {
        const { scanner } = driver();
        for (const r of reports) expect(() => scanner.onReport(r)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });

  it("reads over the in-memory HID link, end to end, and reports an unplug", async () => {
    const { scanner: sim, pair } = SimulatedScanner.create();
    const scanner = new HidPosScanner(pair.host, "S1");
    const reads: string[] = [];
    let detached = "";
    scanner.on("scan", (r) => reads.push(r.raw));
    scanner.on("detach", (r) => (detached = r));
    await scanner.open();
    sim.scan("\x1d0100012345678905", "]C1");
    sim.sendRaw(Uint8Array.of(0x04, 1, 2, 3)); // another report ID: ignored
    sim.scan("88-73-84-57-00-2F-96-1E");
    await new Promise((r) => setTimeout(r, 5));
    expect(reads).toEqual(["\x1d0100012345678905", "88-73-84-57-00-2F-96-1E"]);
    sim.unplug();
    expect(detached).toBe("scanner unplugged");
  });

  it("names malformed reports: data count too large, short report, bad symbology", () => {
    const good = buildScannedDataReports(Uint8Array.of(0x41), "]C0")[0]!;
    const tooLong = good.slice();
    tooLong[1] = 57;
    expect(parseScannedDataReport(tooLong)).toEqual({ ok: false, reason: "data count 57 exceeds 56" });
    expect(parseScannedDataReport(good.subarray(0, 10))).toMatchObject({ ok: false });
    const badSym = good.slice();
    badSym[2] = 0x21;
    expect(parseScannedDataReport(badSym)).toEqual({ ok: false, reason: "symbology identifier is not an AIM code" });
  });

  it("drops a multi-report read whose rest never came, and one longer than the limit", () => {
    let t = 0;
    const { scanner, reads, errors } = driver(() => new Date(t));
    const [first] = buildScannedDataReports(new Uint8Array(100).fill(0x41), "]C0");
    scanner.onReport(first!);
    t = 5000;
    for (const r of buildScannedDataReports(Uint8Array.of(0x42), "]C0")) scanner.onReport(r);
    expect(errors).toEqual(["an unfinished multi-report read was dropped (the rest never came)"]);
    expect(reads.map((r) => r.raw)).toEqual(["B"]);
    for (const r of buildScannedDataReports(new Uint8Array(5000).fill(0x43), "]C0")) scanner.onReport(r);
    expect(errors[1]).toBe("read longer than 4096 characters was dropped");
    expect(reads.map((r) => r.raw)).toEqual(["B"]);
    for (const r of buildScannedDataReports(Uint8Array.of(0x44), "]C0")) scanner.onReport(r);
    expect(reads.map((r) => r.raw)).toEqual(["B", "D"]);
  });
});
