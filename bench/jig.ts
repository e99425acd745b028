/**
 * Bench: 3 jigs x 8 slots on simulated jigs with a simulated flash time. Hubs are fed as
 * a technician would (a finished hub is taken out and the next one seated and scanned at
 * once), for `rounds` full loads. Prints throughput against the ideal (24 hubs a flash
 * time; target >= 97%) and CPU time per hub against the flash time (target < 1%).
 * The CPU figure is of the whole process, simulated jigs included: an upper bound.
 * Run: npx tsx bench/jig.ts [--flash-ms 3000] [--image-kib 1024] [--rounds 2] [--jigs 3]
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { parseArgs } from "node:util";
import { describeImage, FirmwareStore, signManifest } from "../hardware/firmware/firmware-store";
import { JigDriver } from "../hardware/jig/jig-driver";
import { SimulatedJig } from "../hardware/jig/simulated-jig";
import { FlashJournal } from "../host/jig/flash-journal";
import { JigService } from "../host/jig/jig-service";
import type { BookedHub } from "../shared/domain/booking";
import { machineInfo, reportFigure } from "./report";

const { values } = parseArgs({
  options: {
    "flash-ms": { type: "string", default: "3000" },
    "image-kib": { type: "string", default: "1024" },
    rounds: { type: "string", default: "2" },
    jigs: { type: "string", default: "3" },
  },
});
const flashMs = Number(values["flash-ms"]);
const imageBytes = Number(values["image-kib"]) * 1024;
const rounds = Number(values.rounds);
const jigCount = Number(values.jigs);
const SLOTS = 8;
const MODEL = "010A030B";
const TARGET = "00020200";

async function main(): Promise<void> {
  console.log(machineInfo());
  const keys = generateKeyPairSync("ed25519");
  const image = Uint8Array.from({ length: imageBytes }, (_, i) => (i * 131 + 7) & 0xff);
  const manifest = describeImage(image, MODEL, TARGET);
  const firmware = new FirmwareStore(keys.publicKey);
  firmware.add(signManifest(manifest, keys.privateKey), image);
  const dir = mkdtempSync(join(tmpdir(), "bench-jig-"));
  const journal = await FlashJournal.open(join(dir, "flash-journal.jsonl"));
  const hubs = new Map<string, BookedHub>();
  const service = new JigService({
    journal,
    firmware,
    catalogue: () => [{ model: MODEL, version: TARGET, status: "production", sha256: manifest.sha256 }],
    lookupHub: (id) => {
      const hub = hubs.get(id);
      return hub ? { hub, bookingRef: "BENCH-1" } : null;
    },
    commitIdleTimeoutMs: flashMs * 2,
  });
  const sims: Array<ReturnType<typeof SimulatedJig.create>> = [];
  for (let j = 0; j < jigCount; j++) {
    const sim = SimulatedJig.create({ serial: `JIG-${j + 1}`, flashTimeMs: flashMs, progressTicks: 20 });
    const driver = new JigDriver(sim.pair.host, { timeoutMs: 5000 });
    await driver.open();
    await service.attachJig(driver);
    sims.push(sim);
  }

  const total = jigCount * SLOTS * rounds;
  let next = 0;
  const newHub = (): string => {
    const n = next++;
    const deviceId = `88-73-84-57-${[n >> 24, n >> 16, n >> 8, n].map((b) => (b & 0xff).toString(16).toUpperCase().padStart(2, "0")).join("-")}`;
    hubs.set(deviceId, {
      deviceId,
      gpfDeviceId: "88-73-84-57-FF-FF-FF-FF",
      manufacturer: "AB01",
      deviceModel: MODEL,
      firmwareVersion: "0002012F",
      smiStatus: "Pending",
      assignedParty: "P",
      cspRegion: "Central",
    });
    return deviceId;
  };
  let flashed = 0;
  let failed = 0;
  const feed = async (j: number, slot: number): Promise<void> => {
    while (next < total) {
      const deviceId = newHub();
      const sim = sims[j]!.jig;
      sim.removeHub(slot);
      service.unload(`JIG-${j + 1}`, slot);
      sim.seatHub(slot, { deviceId, model: MODEL, firmwareVersion: "0002012F" });
      const r = await service.load({ jigId: `JIG-${j + 1}`, slot, deviceId, operatorId: "bench" });
      if (!r.ok) throw new Error(r.reason);
      const v = await r.done;
      if (v.phase === "flashed") flashed++;
      else failed++;
    }
  };

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const feeders = [];
  for (let j = 0; j < jigCount; j++) for (let s = 0; s < SLOTS; s++) feeders.push(feed(j, s));
  await Promise.all(feeders);
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;

  const ideal = (total / (jigCount * SLOTS)) * flashMs;
  console.log(
    `jigs: ${jigCount} x ${SLOTS} slots, ${total} hubs, image ${imageBytes / 1024} KiB, simulated flash time ${flashMs} ms`,
  );
  console.log(`flashed ${flashed}, failed ${failed}, results journalled ${journal.pending().length}`);
  console.log(
    `wall ${wall.toFixed(0)} ms vs ideal ${ideal.toFixed(0)} ms: throughput ${((100 * ideal) / wall).toFixed(2)}% of ideal (target >= 97%)`,
  );
  console.log(
    `CPU ${cpuMs.toFixed(0)} ms for ${total} hubs = ${(cpuMs / total).toFixed(1)} ms a hub = ${((100 * cpuMs) / total / flashMs).toFixed(3)}% of flash time (whole process incl. simulators; target < 1%)`,
  );
  const throughput = (100 * ideal) / wall;
  const cpuShare = (100 * cpuMs) / total / flashMs;
  reportFigure({
    figure: `${jigCount} jigs x ${SLOTS} slots, ${total} hubs: throughput vs ideal`,
    value: throughput,
    unit: "%",
    target: ">= 97%",
    met: throughput >= 97,
  });
  reportFigure({
    figure: "host CPU (whole process, incl. simulators) / flash time",
    value: cpuShare,
    unit: "%",
    target: "< 1%",
    met: cpuShare < 1,
  });
  const sums: Record<string, number> = {};
  for (const item of journal.pending()) {
    if (item.kind !== "flash.result") continue;
    for (const [k, v] of Object.entries(item.payload.stepTimingsMs)) sums[k] = (sums[k] ?? 0) + (v ?? 0) / total;
  }
  console.log(
    `mean step times (ms): ${Object.entries(sums)
      .map(([k, v]) => `${k} ${v.toFixed(1)}`)
      .join(", ")}`,
  );
  for (const s of sims) s.jig.dispose();
  service.kill();
  await journal.close();
  rmSync(dir, { recursive: true, force: true });
}

void main();
