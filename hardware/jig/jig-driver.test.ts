import { createHash } from "node:crypto";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { JigDriver, JigError } from "./jig-driver";
import type { JigEvent } from "./messages";
import { decodeMessage, encodeMessage, MAX_CHUNK } from "./messages";
import type { SimulatedDeviceEnd } from "../hid/memory-transport";
import type { HubFaults } from "./simulated-jig";
import { SimulatedJig, simulatedJigInfo } from "./simulated-jig";
import { createMemoryTransportPair } from "../hid/memory-transport";
import { FRAME_MAGIC, PROTOCOL_VERSION } from "./frame";

const HUB = { deviceId: "88-73-84-57-00-2F-96-1E", model: "010A030B", firmwareVersion: "0002012F" };
const TARGET = "00020200";
const image = Uint8Array.from({ length: 5000 }, (_, i) => (i * 31) & 0xff);
const sha = new Uint8Array(createHash("sha256").update(image).digest());

let cleanup: Array<() => void> = [];
afterEach(() => {
  cleanup.forEach((c) => c());
  cleanup = [];
});

async function rig(faults: HubFaults = {}, flashTimeMs = 5, progressTicks = 4) {
  const { jig, pair } = SimulatedJig.create({ serial: "JIG-A", flashTimeMs, progressTicks });
  const driver = new JigDriver(pair.host, { timeoutMs: 300 });
  await driver.open();
  const events: JigEvent[] = [];
  driver.on("event", (e) => events.push(e));
  jig.seatHub(3, { ...HUB }, { faults });
  cleanup.push(() => jig.dispose());
  return { jig, driver, events };
}

/** The whole per-hub sequence, as the jig service runs it. */
async function flash(driver: JigDriver, slot = 3) {
  const id = await driver.readIdentity(slot);
  await driver.unlock(slot);
  await driver.beginImage(slot, { size: image.length, version: TARGET, sha256: sha });
  await driver.writeImage(slot, image);
  await driver.commit(slot, 1000);
  const hash = await driver.verify(slot);
  const after = await driver.readIdentity(slot);
  return { id, hash, after };
}

async function failure(p: Promise<unknown>): Promise<JigError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof JigError) return e;
    throw e;
  }
  throw new Error("expected a JigError");
}

describe("JigDriver against SimulatedJig", () => {
  it("identifies the jig and flashes a hub: hash matches, version read back, events seen", async () => {
    const { driver, events } = await rig();
    expect(await driver.identify()).toEqual({ serial: "JIG-A", slotCount: 8, firmware: "JIG-1.4.0" });
    const r = await flash(driver);
    expect(r.id).toEqual(HUB);
    expect(Buffer.from(r.hash).equals(Buffer.from(sha))).toBe(true);
    expect(r.after.firmwareVersion).toBe(TARGET);
    expect(events.map((e) => e.kind)).toContain("progress");
    expect(await driver.slotStatus(3)).toEqual({ state: "programmed", progress: 100 });
  });

  it("unlock refused: the jig's refusal comes back with its status and message", async () => {
    const { driver } = await rig({ unlockRefusals: 1 });
    const e = await failure(driver.unlock(3));
    expect([e.code, e.status, e.request, e.message]).toEqual([
      "refused",
      "unlock-refused",
      "unlock",
      "hub refused the unlock command",
    ]);
    await expect(driver.unlock(3)).resolves.toBeUndefined();
  });

  it("write error mid-image: refused at that chunk, and an error event names the address", async () => {
    const { driver, events } = await rig({ writeErrorAtByte: 3000 });
    const e = await failure(flash(driver));
    expect([e.code, e.status, e.request]).toEqual(["refused", "write-error", "image-chunk"]);
    await new Promise((r) => setTimeout(r, 5));
    expect(events).toContainEqual({
      kind: "error",
      slot: 3,
      status: "write-error",
      message: "flash write failed at 0xbb8",
    });
    expect(await driver.slotStatus(3)).toMatchObject({ state: "failed" });
  });

  it("verify mismatch: the jig's hash differs from the image's", async () => {
    const { driver } = await rig({ verifyMismatch: true });
    const r = await flash(driver);
    expect(Buffer.from(r.hash).equals(Buffer.from(sha))).toBe(false);
  });

  it("slot hang: the request times out, other slots keep answering", async () => {
    const { jig, driver } = await rig({ hangAt: "begin-image" });
    jig.seatHub(4, { ...HUB, deviceId: "88-73-84-57-00-2F-96-1F" });
    const e = await failure(flash(driver, 3));
    expect([e.code, e.request, e.slot]).toEqual(["timeout", "begin-image", 3]);
    const other = await flash(driver, 4);
    expect(other.after.firmwareVersion).toBe(TARGET);
  });

  it("commit waits while progress keeps coming, longer than its idle timeout", async () => {
    const { driver } = await rig({}, 400, 8);
    await driver.unlock(3);
    await driver.beginImage(3, { size: image.length, version: TARGET, sha256: sha });
    await driver.writeImage(3, image);
    // progress ticks every 50 ms; an idle timeout of 200 ms is enough only because they restart it
    await expect(driver.commit(3, 200)).resolves.toBeUndefined();
  });

  it("jig disconnect mid-flash: pending requests fail as disconnected, later ones too", async () => {
    const { jig, driver } = await rig({}, 50);
    let reason = "";
    driver.on("disconnect", (r) => (reason = r));
    const p = flash(driver);
    setTimeout(() => jig.disconnect(), 10);
    const e = await failure(p);
    expect(e.code).toBe("disconnected");
    expect(reason).toBe("jig disconnected");
    expect((await failure(driver.slotStatus(3))).code).toBe("disconnected");
  });

  it("power cut: disconnects, the hub keeps its old firmware, and the jig works after re-open", async () => {
    const { jig, driver } = await rig({}, 50);
    const p = flash(driver);
    setTimeout(() => jig.powerCut(), 10);
    expect((await failure(p)).code).toBe("disconnected");
    expect(jig.hubIn(3)?.firmwareVersion).toBe(HUB.firmwareVersion);
    jig.restorePower();
    await driver.open();
    expect(await driver.slotStatus(3)).toEqual({ state: "seated", progress: 0 });
    expect((await flash(driver)).after.firmwareVersion).toBe(TARGET);
  });

  it("a hub reporting a different GUID is reported as it is (the service compares)", async () => {
    const { driver } = await rig({ reportDeviceId: "00-11-22-33-44-55-66-77" });
    expect((await driver.readIdentity(3)).deviceId).toBe("00-11-22-33-44-55-66-77");
  });

  it("an empty slot answers no-hub; a bad slot number bad-request", async () => {
    const { driver } = await rig();
    expect((await failure(driver.readIdentity(0))).status).toBe("no-hub");
    expect((await failure(driver.readIdentity(9))).status).toBe("bad-request");
  });

  it("one timer for all requests: a later request with a shorter timeout still times out first", async () => {
    const pair = createMemoryTransportPair(simulatedJigInfo("JIG-C"));
    const driver = new JigDriver(pair.host, { timeoutMs: 400 });
    await driver.open();
    // A device that never answers: every request must end in its own timeout.
    const order: string[] = [];
    const long = failure(driver.slotStatus(1)).then((e) => (order.push(`long ${e.code}`), e));
    const short = failure(driver.request({ kind: "slot-status", slot: 2 }, { timeoutMs: 20 })).then(
      (e) => (order.push(`short ${e.code}`), e),
    );
    expect((await short).message).toBe("no answer to slot-status on slot 3 within 20 ms");
    expect(order).toEqual(["short timeout"]);
    expect((await long).message).toBe("no answer to slot-status on slot 2 within 400 ms");
    expect(order).toEqual(["short timeout", "long timeout"]);
  });

  it("a corrupted report from the jig is dropped and counted, and the request times out", async () => {
    const pair = createMemoryTransportPair(simulatedJigInfo("JIG-B"));
    const driver = new JigDriver(pair.host, { timeoutMs: 30 });
    await driver.open();
    // Replace the jig with a device that answers with one flipped bit.
    pair.device.onReport(() => {
      const bad = new Uint8Array(1024);
      bad[0] = FRAME_MAGIC;
      bad[1] = PROTOCOL_VERSION;
      pair.device.send(bad);
    });
    const e = await failure(driver.identify());
    expect(e.code).toBe("timeout");
    expect(driver.rejectedReports).toBeGreaterThan(0);
  });
});

/** A chunk request as the jig received it. */
interface Seen {
  kind: "image-chunk" | "image-chunk-more";
  offset: number;
  length: number;
}

/**
 * A jig behind a link that records the host's image chunks and may corrupt one on the way
 * (`corrupt` true: one bit flipped, so the jig's own decoder drops it, as a real jig drops a
 * corrupted report).
 */
async function windowRig(
  o: { jigWindow?: number; hostWindow?: number; faults?: HubFaults; corrupt?: (c: Seen) => boolean } = {},
) {
  const pair = createMemoryTransportPair(simulatedJigInfo("JIG-W"));
  const seen: Seen[] = [];
  const link: SimulatedDeviceEnd = {
    info: pair.device.info,
    get connected() {
      return pair.device.connected;
    },
    send: (r) => pair.device.send(r),
    onReport: (listener) =>
      pair.device.onReport((report) => {
        const d = decodeMessage(report);
        if (d.ok && d.message.dir === "request") {
          const r = d.message.request;
          if (r.kind === "image-chunk" || r.kind === "image-chunk-more") {
            const c = { kind: r.kind, offset: r.offset, length: r.data.length };
            seen.push(c);
            if (o.corrupt?.(c)) {
              const bad = report.slice();
              bad[100] = (bad[100] ?? 0) ^ 0x10;
              return listener(bad);
            }
          }
        }
        listener(report);
      }),
    detach: (reason) => pair.device.detach(reason),
    reattach: () => pair.device.reattach(),
  };
  const jig = new SimulatedJig(link, {
    serial: "JIG-W",
    flashTimeMs: 5,
    progressTicks: 1,
    ...(o.jigWindow === undefined ? {} : { window: o.jigWindow }),
  });
  const driver = new JigDriver(pair.host, {
    timeoutMs: 200,
    ...(o.hostWindow === undefined ? {} : { imageWindow: o.hostWindow }),
  });
  await driver.open();
  jig.seatHub(3, { ...HUB }, { faults: o.faults ?? {} });
  cleanup.push(() => jig.dispose());
  return { jig, driver, seen };
}

function imageOf(size: number): { bytes: Uint8Array; sha256: Uint8Array } {
  const bytes = Uint8Array.from({ length: size }, (_, i) => (i * 131 + 7) & 0xff);
  return { bytes, sha256: new Uint8Array(createHash("sha256").update(bytes).digest()) };
}

async function start(driver: JigDriver, img: { bytes: Uint8Array; sha256: Uint8Array }) {
  await driver.unlock(3);
  await driver.beginImage(3, { size: img.bytes.length, version: TARGET, sha256: img.sha256 });
}

describe("windowed image transfer (image-chunk-more … image-chunk)", () => {
  it("flashes any image size with any window: the jig's hash matches, one answered chunk a window, in order", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 12 * MAX_CHUNK + 1 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 8 }),
        async (size, jigWindow, hostWindow) => {
          const { driver, seen } = await windowRig({ jigWindow, hostWindow });
          const img = imageOf(size);
          await start(driver, img);
          expect(await driver.writeImage(3, img.bytes)).toBe(size);
          await driver.commit(3, 1000);
          expect(Buffer.from(await driver.verify(3)).equals(Buffer.from(img.sha256))).toBe(true);
          const w = Math.min(jigWindow, hostWindow);
          const chunks = Math.ceil(size / MAX_CHUNK);
          expect(seen.filter((c) => c.kind === "image-chunk")).toHaveLength(Math.ceil(chunks / w));
          expect(seen.filter((c) => c.kind === "image-chunk-more")).toHaveLength(chunks - Math.ceil(chunks / w));
          // Contiguous, and every window closed by an answered chunk after at most w-1 unanswered ones.
          let at = 0;
          let open = 0;
          for (const c of seen) {
            expect(c.offset).toBe(at);
            at += c.length;
            open = c.kind === "image-chunk" ? 0 : open + 1;
            expect(open).toBeLessThan(w);
          }
          expect([at, open]).toEqual([size, 0]);
        },
      ),
      { numRuns: 25 },
    );
  });

  it("a jig that announces a window of 1 gets only plain, answered image-chunks", async () => {
    const { driver, seen } = await windowRig({ jigWindow: 1 });
    const img = imageOf(5 * MAX_CHUNK - 3);
    await start(driver, img);
    await driver.writeImage(3, img.bytes);
    expect(seen.map((c) => c.kind)).toEqual(Array(5).fill("image-chunk"));
  });

  it("a write error mid-window: the closing chunk is refused with it, nothing after it is written", async () => {
    const at = 10 * MAX_CHUNK + 5; // in the 3rd chunk of the 2nd window of 8
    const { jig, driver, seen } = await windowRig({ jigWindow: 8, faults: { writeErrorAtByte: at } });
    const img = imageOf(20 * MAX_CHUNK + 100);
    await start(driver, img);
    const e = await failure(driver.writeImage(3, img.bytes));
    expect([e.code, e.request, e.status, e.message]).toEqual([
      "refused",
      "image-chunk",
      "write-error",
      `flash write failed at 0x${at.toString(16)}`,
    ]);
    expect(jig.bytesHeld(3)).toBe(10 * MAX_CHUNK);
    expect(jig.stateOf(3)).toBe("failed");
    // The host stopped at the refused window: no chunk of the third window went out.
    expect(Math.max(...seen.map((c) => c.offset))).toBe(15 * MAX_CHUNK);
  });

  it("a chunk lost mid-window: the jig refuses the window at the gap and keeps nothing after it", async () => {
    const lost = 9 * MAX_CHUNK;
    const { jig, driver } = await windowRig({
      jigWindow: 8,
      corrupt: (c) => c.kind === "image-chunk-more" && c.offset === lost,
    });
    const img = imageOf(20 * MAX_CHUNK);
    await start(driver, img);
    const e = await failure(driver.writeImage(3, img.bytes));
    expect([e.code, e.request, e.status, e.message]).toEqual([
      "refused",
      "image-chunk",
      "bad-request",
      `chunk at ${10 * MAX_CHUNK}, expected ${lost}`,
    ]);
    expect([jig.bytesHeld(3), jig.stateOf(3)]).toEqual([lost, "receiving"]);
    // The failure does not outlive its window: the chunk the jig expects is taken again.
    const data = img.bytes.subarray(lost, lost + MAX_CHUNK);
    expect(await driver.request({ kind: "image-chunk", slot: 3, offset: lost, data })).toEqual({
      kind: "image-chunk",
      received: lost + MAX_CHUNK,
    });
  });

  it("a host that overruns the jig's window is refused, and the overrun chunk is not written", async () => {
    const { jig, driver } = await windowRig({ jigWindow: 2 });
    const img = imageOf(3 * MAX_CHUNK);
    await start(driver, img);
    const chunk = (i: number) => ({
      slot: 3,
      offset: i * MAX_CHUNK,
      data: img.bytes.subarray(i * MAX_CHUNK, (i + 1) * MAX_CHUNK),
    });
    for (const i of [0, 1])
      await driver.transport.write(
        encodeMessage({ dir: "request", seq: 900 + i, request: { kind: "image-chunk-more", ...chunk(i) } }),
      );
    const e = await failure(driver.request({ kind: "image-chunk", ...chunk(2) }));
    expect([e.status, e.message]).toEqual([
      "bad-request",
      "window overrun: more than 1 image-chunk-more before an image-chunk",
    ]);
    expect(jig.bytesHeld(3)).toBe(MAX_CHUNK);
  });

  it("a lost closing chunk times out; the slot is flashed after a fresh unlock", async () => {
    let dropped = false;
    const { driver } = await windowRig({
      jigWindow: 8,
      corrupt: (c) => !dropped && c.kind === "image-chunk" && (dropped = true),
    });
    const img = imageOf(20 * MAX_CHUNK + 1);
    await start(driver, img);
    const e = await failure(driver.writeImage(3, img.bytes));
    expect([e.code, e.request, e.message]).toEqual([
      "timeout",
      "image-chunk",
      "no answer to image-chunk on slot 4 within 200 ms",
    ]);
    await start(driver, img);
    await driver.writeImage(3, img.bytes);
    await driver.commit(3, 1000);
    expect(Buffer.from(await driver.verify(3)).equals(Buffer.from(img.sha256))).toBe(true);
  });

  it("a slot that hangs at image-chunk hangs at its first windowed chunk: the window times out", async () => {
    const { jig, driver } = await windowRig({ faults: { hangAt: "image-chunk" } });
    const img = imageOf(20 * MAX_CHUNK);
    await start(driver, img);
    const e = await failure(driver.writeImage(3, img.bytes));
    expect([e.code, e.request]).toEqual(["timeout", "image-chunk"]);
    expect(jig.bytesHeld(3)).toBe(0);
  });

  it("a window outside 1-64 is refused when the driver or the simulated jig is built", () => {
    const pair = createMemoryTransportPair(simulatedJigInfo("JIG-V"));
    for (const w of [0, 65, 1.5]) {
      expect(() => new JigDriver(pair.host, { imageWindow: w })).toThrow(RangeError);
      expect(() => new SimulatedJig(pair.device, { serial: "JIG-V", window: w })).toThrow(RangeError);
    }
  });

  it("a disconnect mid-window fails the window as disconnected", async () => {
    const { jig, driver } = await windowRig({
      corrupt: (c) => (c.offset === 3 * MAX_CHUNK && jig.disconnect(), false),
    });
    const img = imageOf(20 * MAX_CHUNK);
    await start(driver, img);
    expect((await failure(driver.writeImage(3, img.bytes))).code).toBe("disconnected");
  });
});
