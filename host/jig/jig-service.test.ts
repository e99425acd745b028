import { afterEach, describe, expect, it } from "vitest";
import { FaultReportedPayload, FlashResultPayload } from "../../shared/events";
import type { JournalItem } from "./flash-journal";
import type { Station } from "./simulated-station";
import { bookedHub, hubId, station, TARGET, until as untilReached } from "./simulated-station";

let open: Station[] = [];
afterEach(async () => {
  for (const s of open) await s.dispose();
  open = [];
});
async function make(opts: Parameters<typeof station>[0] = {}): Promise<Station> {
  const s = await station(opts);
  open.push(s);
  return s;
}
async function load(s: Station, j: number, slot: number, deviceId: string) {
  const r = await s.service.load({ jigId: s.jigs[j]?.id ?? "", slot, deviceId, operatorId: "tech-1" });
  if (!r.ok) throw new Error(`${r.code}: ${r.reason}`);
  return r.done;
}
const results = (s: Station) =>
  s.service.pending().filter((i): i is Extract<JournalItem, { kind: "flash.result" }> => i.kind === "flash.result");
const faults = (s: Station) =>
  s.service.pending().filter((i): i is Extract<JournalItem, { kind: "fault.reported" }> => i.kind === "fault.reported");

describe("JigService", () => {
  it("flashes 8 hubs in parallel; one failing verify leaves 7 flashed and one fault report", async () => {
    const s = await make();
    const ids = Array.from({ length: 8 }, (_, slot) =>
      s.seat(0, slot, slot + 1, slot === 5 ? { verifyMismatch: true } : undefined),
    );
    const views = await Promise.all(ids.map((id, slot) => load(s, 0, slot, id)));
    expect(views.map((v) => v.phase)).toEqual([
      "flashed",
      "flashed",
      "flashed",
      "flashed",
      "flashed",
      "failed",
      "flashed",
      "flashed",
    ]);
    const flashed = results(s).filter((r) => r.payload.outcome === "flashed");
    expect(flashed).toHaveLength(7);
    for (const r of results(s)) expect(FlashResultPayload.safeParse(r.payload).success).toBe(true);
    for (const r of flashed) expect(r.payload.readBackVersion).toBe(TARGET);
    const failed = results(s).find((r) => r.payload.outcome === "failed");
    expect(failed?.payload).toMatchObject({ slot: 5, deviceId: ids[5], attempts: 3, failure: { step: "verify" } });
    const [fault] = faults(s);
    expect(FaultReportedPayload.safeParse(fault?.payload).success).toBe(true);
    expect(fault?.payload).toMatchObject({
      deviceId: ids[5],
      flashEventId: failed?.id,
      step: "verify",
      manual: false,
      disposition: "scrap",
    });
    expect(fault?.payload.jigSaid).toMatch(/^sha256 [0-9a-f]{64}$/);
  });

  it("a hub reporting another GUID than scanned is refused at read-identity: no flash, no retry, no fault", async () => {
    const s = await make();
    const id = s.seat(0, 2, 1, { reportDeviceId: hubId(99) });
    const v = await load(s, 0, 2, id);
    expect(v.phase).toBe("failed");
    expect(v.reason).toBe(`the hub in slot 3 reports ${hubId(99)}, but ${id} was scanned`);
    expect(s.jigs[0]?.jig.imagesBegun).toEqual([]);
    expect(results(s)[0]?.payload).toMatchObject({
      outcome: "failed",
      attempts: 1,
      failure: { step: "read-identity" },
    });
    expect(faults(s)).toEqual([]);
  });

  it("unlock refused once is retried on the same slot; refused always gives a credit fault report", async () => {
    const s = await make();
    const once = s.seat(0, 0, 1, { unlockRefusals: 1 });
    const always = s.seat(0, 1, 2, { unlockRefusals: Infinity });
    const [a, b] = await Promise.all([load(s, 0, 0, once), load(s, 0, 1, always)]);
    expect([a.phase, a.attempt, b.phase, b.attempt]).toEqual(["flashed", 2, "failed", 3]);
    expect(faults(s).map((f) => f.payload)).toMatchObject([
      {
        deviceId: always,
        step: "unlock",
        disposition: "credit",
        jigSaid: "unlock-refused: hub refused the unlock command",
      },
    ]);
  });

  it("a write error mid-image ends in a scrap report naming what the jig said; neighbours flash", async () => {
    const s = await make();
    const bad = s.seat(0, 0, 1, { writeErrorAtByte: 1500 });
    const good = s.seat(0, 1, 2);
    const [a, b] = await Promise.all([load(s, 0, 0, bad), load(s, 0, 1, good)]);
    expect([a.phase, b.phase]).toEqual(["failed", "flashed"]);
    expect(faults(s)[0]?.payload).toMatchObject({
      step: "image-chunk",
      disposition: "scrap",
      jigSaid: "write-error: flash write failed at 0x5dc",
    });
  });

  it("a slot that hangs times out per attempt; the other slots are unaffected", async () => {
    const s = await make({ timeoutMs: 100 });
    const hung = s.seat(0, 4, 1, { hangAt: "unlock" });
    const ok = s.seat(0, 5, 2);
    const [a, b] = await Promise.all([load(s, 0, 4, hung), load(s, 0, 5, ok)]);
    expect([a.phase, b.phase]).toEqual(["failed", "flashed"]);
    expect(results(s).find((r) => r.payload.deviceId === hung)?.payload.attempts).toBe(3);
    const report = faults(s).find((f) => f.payload.deviceId === hung);
    expect(report?.payload.notes).toMatch(
      /^attempt 1: unlock failed: no answer to unlock on slot 5 within 100 ms; attempt 2: /,
    );
  });

  it("a hub that never answers needs a manual report; a person files it", async () => {
    const s = await make({ timeoutMs: 30 });
    const dead = s.seat(0, 0, 1, { hangAt: "read-identity" });
    const v = await load(s, 0, 0, dead);
    expect([v.phase, v.manualReportRequired]).toEqual(["failed", true]);
    expect(faults(s)).toEqual([]);
    const report = await s.service.fileManualFaultReport({
      deviceId: dead,
      notes: "no LED",
      damage: "casing cracked",
      disposition: "scrap",
      jigId: "JIG-A",
      slot: 0,
      flashEventId: results(s)[0]?.id ?? null,
    });
    if (!report.ok) throw new Error(report.reason);
    expect(FaultReportedPayload.safeParse(report.item.payload).success).toBe(true);
    expect(report.item.payload).toMatchObject({ manual: true, damage: "casing cracked", notes: "no LED" });
    expect(faults(s)).toHaveLength(1);
  });

  it("a manual report for a hub still flashing is refused and journals nothing", async () => {
    const s = await make({ flashTimeMs: 400 });
    const id = s.seat(0, 0, 1);
    const done = load(s, 0, 0, id);
    await until(() => s.service.slotViews()[0]?.phase === "flashing");
    const r = await s.service.fileManualFaultReport({
      deviceId: id,
      notes: "",
      damage: "cracked",
      disposition: "credit",
    });
    expect(r).toMatchObject({ ok: false, reason: expect.stringContaining("is still on JIG-A slot 1 (flashing)") });
    expect(faults(s)).toEqual([]);
    await done;
  });

  it("a jig disconnected mid-flash: the slot waits, and finishes on the same hub when it comes back", async () => {
    const s = await make({ flashTimeMs: 200 });
    const id = s.seat(0, 0, 1);
    const rig = s.jigs[0]!;
    s.service.on("slot", (v) => {
      if (v.step === "commit" && v.attempt === 1) rig.jig.disconnect();
    });
    const done = load(s, 0, 0, id);
    await until(() => s.service.slotViews()[0]?.phase === "waiting-for-jig");
    rig.jig.reconnect();
    await rig.driver.open();
    await s.service.attachJig(rig.driver);
    const v = await done;
    expect([v.phase, v.attempt]).toEqual(["flashed", 2]);
    expect(rig.jig.imagesBegun.every((b) => b.deviceId === id)).toBe(true);
  });

  it("a power cut mid-flash: the hub keeps old firmware and is flashed again once power returns", async () => {
    const s = await make({ flashTimeMs: 200 });
    const id = s.seat(0, 3, 1);
    const rig = s.jigs[0]!;
    let cut = false;
    s.service.on("slot", (v) => {
      if (v.step === "commit" && !cut) {
        cut = true;
        rig.jig.powerCut();
      }
    });
    const done = load(s, 0, 3, id);
    await until(() => !rig.driver.connected);
    rig.jig.restorePower();
    await rig.driver.open();
    await s.service.attachJig(rig.driver);
    expect((await done).phase).toBe("flashed");
    expect(results(s)[0]?.payload).toMatchObject({ outcome: "flashed", attempts: 2, fromVersion: "0002012F" });
  });

  it("refuses a second flash of a hub already at the target unless a supervisor overrides", async () => {
    const s = await make();
    const id = s.seat(0, 0, 1);
    await load(s, 0, 0, id);
    s.jigs[0]!.jig.removeHub(0);
    await until(() => s.service.slotViews()[0]?.phase === "empty");
    s.jigs[0]!.jig.seatHub(1, { deviceId: id, model: "010A030B", firmwareVersion: TARGET });
    const again = await s.service.load({ jigId: "JIG-A", slot: 1, deviceId: id, operatorId: "tech-1" });
    expect(again).toMatchObject({ ok: false, code: "already-flashed" });
    const allowed = await s.service.load({
      jigId: "JIG-A",
      slot: 1,
      deviceId: id,
      operatorId: "tech-1",
      override: { supervisorId: "sup-1", reason: "customer asked for re-verify" },
    });
    expect(allowed.ok && (await allowed.done).phase).toBe("flashed");
    expect(s.jigs[0]!.jig.imagesBegun).toHaveLength(2);
  });

  it("refuses bad loads with a named reason and changes nothing", async () => {
    const s = await make();
    const id = s.seat(0, 0, 1);
    s.hubs.set(hubId(7), bookedHub(hubId(7), { smiStatus: "Commissioned" }));
    s.hubs.set(hubId(8), bookedHub(hubId(8), { deviceModel: "FFFFFFFF" }));
    const attempt = (deviceId: string, slot = 1, jigId = "JIG-A") =>
      s.service.load({ jigId, slot, deviceId, operatorId: "t" });
    expect(await attempt("not-an-id")).toMatchObject({ ok: false, code: "bad-device-id" });
    expect(await attempt(id, 0, "JIG-Z")).toMatchObject({ ok: false, code: "unknown-jig" });
    expect(await attempt(id, 8)).toMatchObject({ ok: false, code: "bad-slot" });
    expect(await attempt(hubId(50))).toMatchObject({ ok: false, code: "not-booked" });
    expect(await attempt(hubId(7))).toMatchObject({ ok: false, code: "not-eligible" });
    expect(await attempt(hubId(8))).toMatchObject({ ok: false, code: "no-firmware" });
    const first = await attempt(id.toLowerCase().replace(/-/g, ""), 0);
    expect(first.ok).toBe(true);
    expect(await attempt(id, 1)).toMatchObject({ ok: false, code: "hub-busy" });
    expect(await attempt(hubId(2), 0)).toMatchObject({ ok: false, code: "slot-busy" });
    if (first.ok) await first.done;
    s.catalogue.value = s.catalogue.value.map((e) => ({ ...e, status: "withdrawn" as const }));
    s.hubs.set(hubId(2), bookedHub(hubId(2)));
    expect(await attempt(hubId(2), 1)).toMatchObject({ ok: false, code: "no-firmware" });
  });

  it("suggests free slots spread across jigs", async () => {
    const s = await make({ jigs: 3 });
    expect(s.service.suggestSlot()).toEqual({ jigId: "JIG-A", slot: 0 });
    await load(s, 0, 0, s.seat(0, 0, 1));
    expect(s.service.suggestSlot()).toEqual({ jigId: "JIG-B", slot: 0 });
  });
});

describe("JigService journal and crash recovery", () => {
  it("a kill during programming: after restart the result is recorded from the jig, without flashing again", async () => {
    const s = await make({ flashTimeMs: 300 });
    const id = s.seat(0, 0, 1);
    await s.crashWhileProgramming(0, 0, id);
    const s2 = await s.restart();
    open.push(s2);
    expect(s2.service.pending()).toEqual([]);
    expect(s2.journal.interrupted()).toHaveLength(1);
    expect(await recoverAll(s2)).toEqual({ recorded: 1, flagged: 0, resumed: 0, closed: 0, waiting: 0 });
    expect(results(s2).map((r) => r.payload.outcome)).toEqual(["flashed"]);
    expect(s2.jigs[0]?.jig.imagesBegun).toHaveLength(1);
    expect(s2.journal.interrupted()).toEqual([]);
  });

  it("a jig that attaches only after recovery started is recovered when it comes", async () => {
    const s = await make({ flashTimeMs: 300 });
    const id = s.seat(0, 0, 1);
    s.service.on("slot", (v) => {
      if (v.step === "commit") s.service.kill();
    });
    void load(s, 0, 0, id);
    await until(() => s.jigs[0]?.jig.stateOf(0) === "programming");
    const s2 = await s.restart();
    open.push(s2);
    const rig = s2.jigs[0]!;
    await rig.driver.close();
    expect(await recoverAll(s2)).toEqual({ recorded: 0, flagged: 0, resumed: 0, closed: 0, waiting: 1 });
    rig.jig.reconnect();
    await rig.driver.open();
    await s2.service.attachJig(rig.driver);
    await until(() => results(s2).length === 1);
    expect(results(s2)[0]?.payload).toMatchObject({ deviceId: id, outcome: "flashed" });
    expect(rig.jig.imagesBegun).toHaveLength(1);
  });

  it("a kill before the image was sent: restart flashes that hub once, as the next attempt", async () => {
    const s = await make();
    const id = s.seat(0, 2, 1);
    s.service.on("slot", (v) => {
      if (v.step === "unlock") s.service.kill();
    });
    void load(s, 0, 2, id);
    await until(() => s.journal.interrupted().length === 1);
    const s2 = await s.restart();
    open.push(s2);
    expect(await recoverAll(s2)).toEqual({ recorded: 0, flagged: 0, resumed: 1, closed: 0, waiting: 0 });
    expect(results(s2)[0]?.payload).toMatchObject({ outcome: "flashed", attempts: 2 });
    expect(s2.jigs[0]?.jig.imagesBegun).toHaveLength(1);
  });

  it("a hub taken out while the host was down: the attempt is closed and the hub may be loaded again", async () => {
    const s = await make({ flashTimeMs: 300 });
    const id = s.seat(0, 0, 1);
    await s.crashWhileProgramming(0, 0, id);
    const s2 = await s.restart();
    open.push(s2);
    s2.jigs[0]!.jig.removeHub(0);
    expect(await recoverAll(s2)).toMatchObject({ closed: 1 });
    s2.jigs[0]!.jig.seatHub(1, { deviceId: id, model: "010A030B", firmwareVersion: "0002012F" });
    expect((await load(s2, 0, 1, id)).phase).toBe("flashed");
  });

  it("results survive restarts until acknowledged, and the history still refuses a re-flash", async () => {
    const s = await make();
    const id = s.seat(0, 0, 1);
    await load(s, 0, 0, id);
    const s2 = await s.restart();
    open.push(s2);
    const pending = s2.service.pending();
    expect(pending.map((p) => p.kind)).toEqual(["flash.result"]);
    expect(await recoverAll(s2)).toEqual({ recorded: 0, flagged: 0, resumed: 0, closed: 0, waiting: 0 });
    expect(await s2.service.load({ jigId: "JIG-A", slot: 1, deviceId: id, operatorId: "t" })).toMatchObject({
      code: "already-flashed",
    });
    expect(await s2.service.acknowledge([pending[0]!.id, "unknown"])).toBe(1);
    const s3 = await s2.restart();
    open.push(s3);
    expect(s3.service.pending()).toEqual([]);
    expect(s3.journal.wasFlashedTo(id, TARGET)).toBe(true);
  });

  it("a torn last line (crash mid-append) is dropped; the journal keeps working", async () => {
    const s = await make();
    await load(s, 0, 0, s.seat(0, 0, 1));
    const { appendFile, readFile } = await import("node:fs/promises");
    await appendFile(s.journalPath, '{"t":"item","item":{"id":"x');
    const s2 = await s.restart();
    open.push(s2);
    expect(s2.service.pending()).toHaveLength(1);
    await s2.service.acknowledge([s2.service.pending()[0]!.id]);
    const lines = (await readFile(s.journalPath, "utf8")).trim().split("\n");
    expect(lines.every((l) => JSON.parse(l) !== null)).toBe(true);
  });

  it("a corrupt line in the middle stops the journal with its line number", async () => {
    const s = await make();
    await load(s, 0, 0, s.seat(0, 0, 1));
    const { writeFile, readFile } = await import("node:fs/promises");
    const text = await readFile(s.journalPath, "utf8");
    await writeFile(s.journalPath, `garbage\n${text}`);
    await expect(s.restart()).rejects.toThrow(/line 1 is unreadable/);
  });
});

/** Runs recovery and waits for any resumed flash; returns the counts. */
async function recoverAll(s: Station) {
  const { settled, ...summary } = await s.service.recover();
  await settled;
  return summary;
}

/** This file's waits keep their 3 s bound. */
const until = (cond: () => boolean, limitMs = 3000): Promise<void> => untilReached(cond, limitMs);
