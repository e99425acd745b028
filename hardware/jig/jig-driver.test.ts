import { createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { JigDriver, JigError } from "./jig-driver";
import type { JigEvent } from "./messages";
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
