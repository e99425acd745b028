/**
 * Fault campaign for the jig station (issue 9): the host is killed mid-flash at every step
 * and at random moments, over and over, and restarted on the same journal; firmware images
 * are tampered with or withdrawn. Expected: 0 results lost, 0 hubs programmed twice,
 * 0 unsigned, tampered or withdrawn images sent to a hub, every refusal with its reason.
 *
 * "Programmed" is counted on the simulated hub itself: the jig sets a hub's running version
 * only when programming completes (A/B banks), so each hub here counts those writes.
 * A begin-image that was interrupted before programming completed is not a second flash;
 * the protocol's policy is to send the image again (docs/jig-protocol.md, "Host policy").
 */
import { generateKeyPairSync } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { FlashStep } from "../../shared/events";
import { describeImage, FirmwareStore, signManifest } from "../../hardware/firmware/firmware-store";
import type { FirmwareCatalogue, FirmwareManifest } from "../../hardware/firmware/manifest";
import type { SimulatedHub } from "../../hardware/jig/simulated-jig";
import type { JournalItem } from "./flash-journal";
import { bookedHub, FROM, hubId, MODEL, station, TARGET, until, type Station } from "./simulated-station";
import { mulberry32 as prng } from "../../shared/domain/seeded-random";

let open: Station[] = [];
afterEach(async () => {
  for (const s of open) await s.dispose().catch(() => undefined);
  open = [];
});
async function make(opts: Parameters<typeof station>[0] = {}): Promise<Station> {
  const s = await station(opts);
  open.push(s);
  return s;
}

/** A hub that counts completed programmings (the jig writes its version only when one completes). */
type CountedHub = SimulatedHub & { programmed: number };
function countedHub(deviceId: string): CountedHub {
  let version = FROM;
  const hub = {
    deviceId,
    model: MODEL,
    programmed: 0,
    get firmwareVersion() {
      return version;
    },
    set firmwareVersion(v: string) {
      version = v;
      hub.programmed++;
    },
  };
  return hub;
}

/** Seats hub n in (jig, slot) and books it. */
function seat(s: Station, j: number, slot: number, n: number): CountedHub {
  const hub = countedHub(hubId(n));
  s.hubs.set(hub.deviceId, bookedHub(hub.deviceId));
  s.jigs[j]!.jig.seatHub(slot, hub);
  return hub;
}

const flashResults = (s: Station) =>
  s.service.pending().filter((i): i is Extract<JournalItem, { kind: "flash.result" }> => i.kind === "flash.result");

/** What the technician does after a restart: recovery first, then load again every seated hub that has no result and no run. */
async function recoverAndFinish(
  s: Station,
  rigs: Array<{ j: number; slot: number; hub: CountedHub }>,
): Promise<{ recovered: { recorded: number; resumed: number; closed: number; waiting: number }; reloaded: number }> {
  const { settled, ...recovered } = await s.service.recover();
  await settled;
  const views = s.service.slotViews();
  const runs: Array<Promise<unknown>> = [];
  let reloaded = 0;
  for (const r of rigs) {
    if (s.journal.wasFlashedTo(r.hub.deviceId, TARGET)) continue;
    const jigId = s.jigs[r.j]!.id;
    const v = views.find((x) => x.jigId === jigId && x.slot === r.slot);
    if (v && v.phase !== "empty") {
      if (v.phase === "failed") s.service.unload(jigId, r.slot);
      else continue;
    }
    const res = await s.service.load({ jigId, slot: r.slot, deviceId: r.hub.deviceId, operatorId: "tech-1" });
    if (!res.ok) throw new Error(`${r.hub.deviceId}: ${res.code}: ${res.reason}`);
    reloaded++;
    runs.push(res.done);
  }
  await Promise.all(runs);
  return { recovered, reloaded };
}

/**
 * The technician loads again every seated hub with no result and no run (the runs are left going).
 * A hub whose interrupted flash is still unjudged is refused (its outcome is unknown); the technician moves on.
 */
async function reloadLeftovers(s: Station, rigs: Array<{ j: number; slot: number; hub: CountedHub }>): Promise<void> {
  const views = s.service.slotViews();
  for (const r of rigs) {
    if (s.journal.wasFlashedTo(r.hub.deviceId, TARGET)) continue;
    const jigId = s.jigs[r.j]!.id;
    const v = views.find((x) => x.jigId === jigId && x.slot === r.slot);
    if (v && v.phase !== "empty") continue;
    const res = await s.service.load({ jigId, slot: r.slot, deviceId: r.hub.deviceId, operatorId: "tech-1" });
    if (!res.ok && !/outcome of the interrupted flash unknown/.test(res.reason))
      throw new Error(`${r.hub.deviceId}: ${res.code}: ${res.reason}`);
  }
}

interface Outcome {
  hubs: number;
  lostResults: number;
  programmedTwice: number;
  notFlashed: number;
  duplicateResults: number;
}

/** Judges the end state: every confirmed result survived, each hub has one flashed result and was programmed once. */
function judge(s: Station, hubs: CountedHub[], confirmed: Set<string>): Outcome {
  const results = flashResults(s);
  const ids = new Set(s.service.pending().map((i) => i.id));
  const per = new Map<string, number>();
  for (const r of results) per.set(r.payload.deviceId, (per.get(r.payload.deviceId) ?? 0) + 1);
  return {
    hubs: hubs.length,
    lostResults: [...confirmed].filter((id) => !ids.has(id)).length,
    programmedTwice: hubs.filter((h) => h.programmed > 1).length,
    notFlashed: hubs.filter(
      (h) =>
        results.filter((r) => r.payload.deviceId === h.deviceId && r.payload.outcome === "flashed").length !== 1 ||
        h.programmed !== 1,
    ).length,
    duplicateResults: [...per.values()].filter((n) => n > 1).length,
  };
}

function row(campaign: string, tried: number | string, refused: string, lost: string, expected: string): void {
  console.log(
    `campaign | tried | refused with reason | lost/duplicated | expected\n${campaign} | ${tried} | ${refused} | ${lost} | ${expected}`,
  );
}

const CLEAN: Outcome = { hubs: 8, lostResults: 0, programmedTwice: 0, notFlashed: 0, duplicateResults: 0 };

describe("fault campaign: the host killed mid-flash", () => {
  const points: Array<FlashStep | "result-journalled"> = [
    "read-identity",
    "unlock",
    "begin-image",
    "image-chunk",
    "commit",
    "verify",
    "read-back",
    "result-journalled",
  ];

  it("killed at every step of a flash (8 slots in flight), restarted on the journal: 0 results lost, 0 hubs programmed twice", async () => {
    const summary: string[] = [];
    let recoveredTotal = 0,
      reloadedTotal = 0;
    for (const [k, point] of points.entries()) {
      const s = await make({ flashTimeMs: 60, imageSize: 6000 });
      const rigs = Array.from({ length: 8 }, (_, slot) => ({ j: 0, slot, hub: seat(s, 0, slot, 100 * k + slot + 1) }));
      const confirmed = new Set<string>();
      const target = k % 8;
      let killed = false;
      const kill = () => {
        if (killed) return;
        killed = true;
        s.service.kill();
      };
      s.service.on("journal", (item) => {
        confirmed.add(item.id);
        if (point === "result-journalled" && item.kind === "flash.result" && item.payload.slot === target) kill();
      });
      s.service.on("slot", (v) => {
        if (v.slot === target && v.step === point) kill();
      });
      for (const r of rigs) {
        const res = await s.service.load({
          jigId: s.jigs[0]!.id,
          slot: r.slot,
          deviceId: r.hub.deviceId,
          operatorId: "tech-1",
        });
        if (!res.ok) throw new Error(res.reason);
        void res.done;
      }
      await until(() => killed);
      await new Promise((r) => setTimeout(r, 5));
      const s2 = await s.restart();
      open.push(s2);
      const { recovered, reloaded } = await recoverAndFinish(s2, rigs);
      recoveredTotal += recovered.recorded + recovered.resumed;
      reloadedTotal += reloaded;
      const o = judge(
        s2,
        rigs.map((r) => r.hub),
        confirmed,
      );
      summary.push(`${point}: ${JSON.stringify(recovered)} reloaded ${reloaded}`);
      expect(o, `killed at ${point} in slot ${target}`).toEqual(CLEAN);
      expect(s2.journal.interrupted()).toEqual([]);
    }
    row(
      "host killed at each flash step (8 kill points × 8 slots)",
      points.length * 8,
      `0 (recovered ${recoveredTotal} in-flight attempts, technician reloaded ${reloadedTotal} never-started hubs)`,
      "0 results lost, 0 programmed twice",
      "0 lost, 0 twice",
    );
  }, 60_000);

  it("killed again and again at random moments, 3 jigs × 8 slots, until every hub is done: 0 results lost, 0 programmed twice", async () => {
    const SEED = 0xdeadbeef;
    const rand = prng(SEED);
    let s = await make({ jigs: 3, flashTimeMs: 250, imageSize: 8000 });
    const rigs = [0, 1, 2].flatMap((j) =>
      Array.from({ length: 8 }, (_, slot) => ({ j, slot, hub: seat(s, j, slot, 1000 + j * 8 + slot) })),
    );
    const confirmed = new Set<string>();
    const listen = (st: Station) => st.service.on("journal", (item) => confirmed.add(item.id));
    listen(s);
    for (const r of rigs) {
      const res = await s.service.load({
        jigId: s.jigs[r.j]!.id,
        slot: r.slot,
        deviceId: r.hub.deviceId,
        operatorId: "tech-1",
      });
      if (!res.ok) throw new Error(res.reason);
    }
    let kills = 0;
    let duringRecovery = 0;
    // Twelve crashes at random moments: during the first flashes, then anywhere after a restart: inside
    // recover() (its slot reads, verifies and journal writes), during resumed flashes and the technician's reloads.
    const first = 30 + Math.floor(rand() * 120);
    await new Promise((r) => setTimeout(r, first));
    for (; kills < 12; kills++) {
      s = await s.restart();
      open.push(s);
      listen(s);
      const st = s;
      let judged = false;
      // Not awaited: the next crash may land while recovery is still judging; a killed service writes nothing more.
      void st.service
        .recover()
        .then(() => {
          judged = true;
          return reloadLeftovers(st, rigs);
        })
        .catch(() => undefined);
      // Every other crash comes within 10 ms of the restart, so it lands inside recover() itself.
      await new Promise((r) => setTimeout(r, Math.floor(rand() * (kills % 2 === 0 ? 10 : 150))));
      if (!judged) duringRecovery++;
    }
    s = await s.restart();
    open.push(s);
    await recoverAndFinish(s, rigs);
    const o = judge(
      s,
      rigs.map((r) => r.hub),
      confirmed,
    );
    expect(duringRecovery, "some crashes must land inside recover()").toBeGreaterThan(0);
    row(
      `host killed at random (seed ${SEED})`,
      `${rigs.length} hubs, ${kills} kills (${duringRecovery} inside recover())`,
      "-",
      `${o.lostResults} results lost, ${o.programmedTwice} programmed twice, ${o.duplicateResults} duplicate results, ${o.notFlashed} not flashed once`,
      "0 / 0 / 0 / 0",
    );
    expect(o).toEqual({ ...CLEAN, hubs: 24 });
  }, 60_000);
});

describe("fault campaign: tampered and withdrawn firmware", () => {
  const publisher = generateKeyPairSync("ed25519");
  const stranger = generateKeyPairSync("ed25519");
  const image = Uint8Array.from({ length: 4000 }, (_, i) => (i * 31 + 3) & 0xff);
  const good = describeImage(image, MODEL, TARGET);
  const entry = { model: MODEL, version: TARGET, status: "production" as const, sha256: good.sha256 };

  type Variant = { name: string; manifest: unknown; bytes: Uint8Array; catalogue: unknown; reason: RegExp };
  const flip = (at: number) => {
    const b = image.slice();
    b[at] = (b[at] ?? 0) ^ 0x01;
    return b;
  };
  const signed = (m: FirmwareManifest) => signManifest(m, publisher.privateKey);
  const variants: Variant[] = [
    ...[0, 1999, 3999].map((at) => ({
      name: `bit flipped at byte ${at}`,
      manifest: signed(good),
      bytes: flip(at),
      catalogue: [entry],
      reason: /image bytes hash to .*manifest says/,
    })),
    {
      name: "truncated image",
      manifest: signed(good),
      bytes: image.slice(0, 3000),
      catalogue: [entry],
      reason: /image is 3000 bytes, manifest says 4000/,
    },
    {
      name: "padded image",
      manifest: signed(good),
      bytes: Uint8Array.from([...image, 0]),
      catalogue: [entry],
      reason: /image is 4001 bytes/,
    },
    {
      name: "unsigned manifest",
      manifest: { manifest: good },
      bytes: image,
      catalogue: [entry],
      reason: /carries no signature/,
    },
    {
      name: "signed by another key",
      manifest: signManifest(good, stranger.privateKey),
      bytes: image,
      catalogue: [entry],
      reason: /not signed by the firmware publisher key/,
    },
    ...(["version", "status", "size", "model"] as const).map((field) => ({
      name: `manifest ${field} edited after signing`,
      manifest: {
        manifest: {
          ...good,
          [field]:
            field === "size" ? 4001 : field === "status" ? "withdrawn" : field === "model" ? "010A0300" : "00020201",
        },
        signature: signed(good).signature,
      },
      bytes: image,
      catalogue: [entry],
      reason: /not signed by the firmware publisher key/,
    })),
    {
      name: "signature of a different image",
      manifest: { manifest: good, signature: signed(describeImage(flip(5), MODEL, TARGET)).signature },
      bytes: image,
      catalogue: [entry],
      reason: /not signed by the firmware publisher key/,
    },
    {
      name: "manifest marks it withdrawn",
      manifest: signed({ ...good, status: "withdrawn" }),
      bytes: image,
      catalogue: [entry],
      reason: /withdrawn \(by its manifest\)/,
    },
    {
      name: "catalogue withdrew it",
      manifest: signed(good),
      bytes: image,
      catalogue: [{ ...entry, status: "withdrawn" }],
      reason: /no production firmware for model/,
    },
    {
      name: "catalogue names an image not held",
      manifest: signed(good),
      bytes: image,
      catalogue: [{ ...entry, sha256: "0".repeat(64) }],
      reason: /is not in the firmware store/,
    },
    {
      name: "catalogue version differs from the signed one",
      manifest: signed(good),
      bytes: image,
      catalogue: [{ ...entry, version: "00020201" }],
      reason: /manifest says version 00020200, catalogue says 00020201/,
    },
    {
      name: "catalogue does not parse",
      manifest: signed(good),
      bytes: image,
      catalogue: [{ model: MODEL }],
      reason: /catalogue does not parse/,
    },
    {
      name: "image signed for another model",
      manifest: signed({ ...good, model: "010A0300" }),
      bytes: image,
      catalogue: [entry],
      reason: /image is for model 010A0300, the hub is model 010A030B/,
    },
  ];

  it("every tampered, unsigned or withdrawn image is refused at load with its reason: 0 images sent to a hub", async () => {
    const refusals: string[] = [];
    let begun = 0;
    for (const v of variants) {
      const firmware = new FirmwareStore(publisher.publicKey);
      const added = firmware.add(v.manifest, v.bytes);
      expect(added.ok, v.name).toBe(true);
      const s = await make({ service: { firmware, catalogue: () => v.catalogue as FirmwareCatalogue } });
      const hub = seat(s, 0, 0, 7);
      const r = await s.service.load({ jigId: s.jigs[0]!.id, slot: 0, deviceId: hub.deviceId, operatorId: "tech-1" });
      expect(r.ok, v.name).toBe(false);
      if (!r.ok) {
        expect(r.code, v.name).toBe("no-firmware");
        expect(r.reason, v.name).toMatch(v.reason);
        refusals.push(`${v.name}: ${r.reason}`);
      }
      begun += s.jigs[0]!.jig.imagesBegun.length;
      expect(hub.programmed, v.name).toBe(0);
      expect(s.journal.interrupted(), v.name).toEqual([]);
      expect(s.service.pending(), v.name).toEqual([]);
      await s.dispose();
    }
    row(
      "tampered / unsigned / withdrawn firmware at load",
      variants.length,
      `${refusals.length} (no-firmware, each naming the check that failed)`,
      `${begun} images begun on a hub`,
      "0 images flashed",
    );
    expect(begun).toBe(0);
  });

  it("a target withdrawn while the host was down: recovery closes the attempt instead of sending the image again", async () => {
    const firmware = new FirmwareStore(publisher.publicKey);
    firmware.add(signed(good), image);
    const catalogue = { value: [entry] as FirmwareCatalogue };
    const s = await make({ flashTimeMs: 60, service: { firmware, catalogue: () => catalogue.value } });
    const hub = seat(s, 0, 0, 9);
    s.service.on("slot", (v) => {
      if (v.step === "unlock") s.service.kill();
    });
    const r = await s.service.load({ jigId: s.jigs[0]!.id, slot: 0, deviceId: hub.deviceId, operatorId: "tech-1" });
    expect(r.ok).toBe(true);
    await until(() => s.journal.interrupted().length === 1);
    catalogue.value = [{ ...entry, status: "withdrawn" }];
    const s2 = await s.restart();
    open.push(s2);
    const { settled, ...summary } = await s2.service.recover();
    await settled;
    expect(summary).toEqual({ recorded: 0, flagged: 0, resumed: 0, closed: 1, waiting: 0 });
    expect(s2.jigs[0]!.jig.imagesBegun).toEqual([]);
    expect(hub.programmed).toBe(0);
    // The technician's next try is refused with the reason.
    s2.service.unload(s2.jigs[0]!.id, 0);
    const again = await s2.service.load({
      jigId: s2.jigs[0]!.id,
      slot: 0,
      deviceId: hub.deviceId,
      operatorId: "tech-1",
    });
    expect(again).toMatchObject({
      ok: false,
      code: "no-firmware",
      reason: expect.stringMatching(/no production firmware/),
    });
    row(
      "target withdrawn during a crash",
      1,
      "1 (attempt closed: target no longer the image sent; reload refused no-firmware)",
      "0 images begun",
      "0 images flashed",
    );
  });
});

describe("fault campaign: found bugs 6-8 (target changes and unreadable slots around a crash)", () => {
  const publisher = generateKeyPairSync("ed25519");
  const NEXT = "00020300";
  const image = Uint8Array.from({ length: 4000 }, (_, i) => (i * 17 + 5) & 0xff);
  const nextImage = Uint8Array.from({ length: 4000 }, (_, i) => (i * 29 + 11) & 0xff);
  const current = describeImage(image, MODEL, TARGET);
  const next = describeImage(nextImage, MODEL, NEXT);
  const entry = { model: MODEL, version: TARGET, status: "production" as const, sha256: current.sha256 };
  const nextEntry = { model: MODEL, version: NEXT, status: "production" as const, sha256: next.sha256 };
  const changes = {
    withdrawn: [{ ...entry, status: "withdrawn" as const }],
    superseded: [entry, nextEntry],
  } satisfies Record<string, FirmwareCatalogue>;

  /** A station whose store holds both images and whose catalogue the test changes. */
  async function twoImages(opts: Parameters<typeof station>[0] = {}) {
    const firmware = new FirmwareStore(publisher.publicKey);
    firmware.add(signManifest(current, publisher.privateKey), image);
    firmware.add(signManifest(next, publisher.privateKey), nextImage);
    const catalogue = { value: [entry] as FirmwareCatalogue };
    const s = await make({ ...opts, service: { firmware, catalogue: () => catalogue.value } });
    return { s, catalogue };
  }

  for (const change of ["withdrawn", "superseded"] as const) {
    it(`bug 6: a retry re-checks the target; ${change} during attempt 1 → target-changed, nothing sent, never re-targeted`, async () => {
      const { s, catalogue } = await twoImages();
      const hub = countedHub(hubId(61));
      s.hubs.set(hub.deviceId, bookedHub(hub.deviceId));
      s.jigs[0]!.jig.seatHub(0, hub, { faults: { unlockRefusals: 1 } });
      s.service.on("slot", (v) => {
        if (v.step === "unlock" && v.attempt === 1) catalogue.value = changes[change];
      });
      const r = await s.service.load({ jigId: s.jigs[0]!.id, slot: 0, deviceId: hub.deviceId, operatorId: "tech-1" });
      if (!r.ok) throw new Error(r.reason);
      const view = await r.done;
      expect([view.phase, view.attempt]).toEqual(["failed", 2]);
      expect(view.reason).toMatch(/^target changed before attempt 2, the hub was not touched: /);
      expect(s.jigs[0]!.jig.imagesBegun).toEqual([]);
      expect(hub.programmed).toBe(0);
      const [result, ...more] = flashResults(s);
      expect(more).toEqual([]);
      expect(result?.payload).toMatchObject({
        outcome: "failed",
        toVersion: TARGET,
        attempts: 2,
        failure: {
          step: "unlock",
          detail: expect.stringMatching(change === "withdrawn" ? /withdrawn/ : /is now 00020300/),
        },
      });
      // Not the hub's fault: no Fault Analysis Report, no credit or scrap.
      expect(s.service.pending().filter((i) => i.kind === "fault.reported")).toEqual([]);
      expect(s.journal.interrupted()).toEqual([]);
      // Only the technician picks the new target, by loading the hub again.
      s.service.unload(s.jigs[0]!.id, 0);
      const again = await s.service.load({
        jigId: s.jigs[0]!.id,
        slot: 0,
        deviceId: hub.deviceId,
        operatorId: "tech-1",
      });
      if (change === "withdrawn") expect(again).toMatchObject({ ok: false, code: "no-firmware" });
      else {
        expect(again).toMatchObject({ ok: true, toVersion: NEXT });
        if (again.ok) expect((await again.done).phase).toBe("flashed");
        expect(s.jigs[0]!.jig.imagesBegun.map((b) => b.version)).toEqual([NEXT]);
      }
    });
  }

  it("bug 7: a flash finished while the host was down, target withdrawn before restart → verified from the slot, recorded as held, flagged", async () => {
    const { s, catalogue } = await twoImages({ flashTimeMs: 150 });
    const hub = seat(s, 0, 0, 71);
    await s.crashWhileProgramming(0, 0, hub.deviceId);
    catalogue.value = changes.withdrawn;
    const s2 = await s.restart();
    open.push(s2);
    const { settled, ...summary } = await s2.service.recover();
    await settled;
    expect(summary).toEqual({ recorded: 1, flagged: 1, resumed: 0, closed: 0, waiting: 0 });
    const [result, ...more] = flashResults(s2);
    expect(more).toEqual([]);
    expect(result?.payload).toMatchObject({
      deviceId: hub.deviceId,
      outcome: "flashed",
      toVersion: TARGET,
      readBackVersion: TARGET,
      imageSha256: current.sha256,
    });
    // The notice travels in the event, so the dock's log and central see the flag too.
    expect(result?.payload.notice).toMatch(
      /holds 00020200, verified, but that image is no longer the target .*withdrawn/,
    );
    expect(result).not.toHaveProperty("notice");
    expect(s2.service.slotViews()[0]).toMatchObject({ phase: "flashed", reason: result?.payload.notice });
    expect([hub.programmed, s2.jigs[0]!.jig.imagesBegun.length]).toEqual([1, 1]);
    expect(s2.journal.interrupted()).toEqual([]);
    // The flag survives a restart with the result.
    const s3 = await s2.restart();
    open.push(s3);
    expect(flashResults(s3)[0]?.payload.notice).toBe(result?.payload.notice);
  });

  it("bug 8: the jig unplugged during recover() → the attempt stays open, a reload is refused, and the hub is judged (not re-flashed) when the jig is back", async () => {
    const s = await make({ jigs: 2, flashTimeMs: 200 });
    const hub = seat(s, 0, 0, 81);
    await s.crashWhileProgramming(0, 0, hub.deviceId);
    const s2 = await s.restart();
    open.push(s2);
    const rig = s2.jigs[0]!;
    const recovering = s2.service.recover();
    rig.jig.disconnect(); // before the slot-status answer arrives (the link answers on a later turn)
    const { settled, ...summary } = await recovering;
    await settled;
    expect(summary).toEqual({ recorded: 0, flagged: 0, resumed: 0, closed: 0, waiting: 1 });
    expect(s2.journal.interrupted()).toHaveLength(1);
    // The jig programs on by itself meanwhile.
    await until(() => rig.jig.stateOf(0) === "programmed");
    const reload = await s2.service.load({
      jigId: s2.jigs[1]!.id,
      slot: 0,
      deviceId: hub.deviceId,
      operatorId: "tech-1",
    });
    expect(reload).toMatchObject({
      ok: false,
      code: "hub-busy",
      reason: expect.stringMatching(
        /^outcome of the interrupted flash unknown: re-seat the jig \/ read the slot first/,
      ),
    });
    rig.jig.reconnect();
    await rig.driver.open();
    await s2.service.attachJig(rig.driver);
    await until(() => flashResults(s2).length === 1);
    expect(flashResults(s2)[0]?.payload).toMatchObject({
      deviceId: hub.deviceId,
      outcome: "flashed",
      readBackVersion: TARGET,
    });
    expect(s2.journal.interrupted()).toEqual([]);
    expect([hub.programmed, rig.jig.imagesBegun.length]).toEqual([1, 1]);
    s2.service.unload(rig.id, 0);
    const after = await s2.service.load({
      jigId: s2.jigs[1]!.id,
      slot: 0,
      deviceId: hub.deviceId,
      operatorId: "tech-1",
    });
    expect(after).toMatchObject({ ok: false, code: "already-flashed" });
  });

  it("bug 8: a service killed while recover() reads a slot writes nothing (recoverOne's close goes through the kill check)", async () => {
    const s = await make({ flashTimeMs: 300 });
    const hub = seat(s, 0, 0, 82);
    await s.crashWhileProgramming(0, 0, hub.deviceId);
    const s2 = await s.restart();
    open.push(s2);
    const { readFile } = await import("node:fs/promises");
    const before = await readFile(s2.journalPath, "utf8");
    const recovering = s2.service.recover();
    await new Promise((done) => setTimeout(done, 30)); // recovery is waiting on the programming slot
    s2.service.kill();
    await recovering;
    expect(await readFile(s2.journalPath, "utf8")).toBe(before);
    // The next start finds the attempt still open and judges it from the slot.
    const s3 = await s2.restart();
    open.push(s3);
    expect(s3.journal.interrupted()).toHaveLength(1);
    const { settled, ...summary } = await s3.service.recover();
    await settled;
    expect(summary).toMatchObject({ recorded: 1, closed: 0 });
    expect(hub.programmed).toBe(1);
  });
});
