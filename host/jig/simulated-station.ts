/**
 * A jig station on simulators for the service's tests: firmware signed with a test key,
 * a booking lookup, N simulated jigs with drivers, and a journal in a temp folder.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BookedHub } from "../../shared/domain/booking";
import { describeImage, FirmwareStore, signManifest } from "../../hardware/firmware/firmware-store";
import type { FirmwareCatalogue } from "../../hardware/firmware/manifest";
import { JigDriver } from "../../hardware/jig/jig-driver";
import type { MemoryTransportPair } from "../../hardware/hid/memory-transport";
import type { HubFaults } from "../../hardware/jig/simulated-jig";
import { SimulatedJig } from "../../hardware/jig/simulated-jig";
import { FlashJournal } from "./flash-journal";
import type { JigServiceOptions } from "./jig-service";
import { JigService } from "./jig-service";

export const MODEL = "010A030B";
export const FROM = "0002012F";
export const TARGET = "00020200";
const keys = generateKeyPairSync("ed25519");

export function hubId(n: number): string {
  return `88-73-84-57-00-2F-${(n >> 8).toString(16).toUpperCase().padStart(2, "0")}-${(n & 0xff).toString(16).toUpperCase().padStart(2, "0")}`;
}

export function bookedHub(deviceId: string, over: Partial<BookedHub> = {}): BookedHub {
  return {
    deviceId,
    gpfDeviceId: "88-73-84-57-00-2F-FF-FF",
    manufacturer: "AB01",
    deviceModel: MODEL,
    firmwareVersion: FROM,
    smiStatus: "Pending",
    assignedParty: "PARTY-1",
    cspRegion: "Central",
    ...over,
  };
}

export interface Station {
  service: JigService;
  journal: FlashJournal;
  jigs: Array<{ jig: SimulatedJig; pair: MemoryTransportPair; driver: JigDriver; id: string }>;
  hubs: Map<string, BookedHub>;
  catalogue: { value: FirmwareCatalogue };
  firmware: FirmwareStore;
  journalPath: string;
  /** Seats hub n in a slot of jig j, as the technician does. */
  seat(j: number, slot: number, n: number, faults?: HubFaults): string;
  /**
   * A host crash mid-flash: loads `deviceId` into (jig j, slot), kills the service when that
   * slot reaches commit, and returns once the attempt is journalled and the jig is programming
   * on by itself.
   */
  crashWhileProgramming(j: number, slot: number, deviceId: string): Promise<void>;
  /** A new service over the same journal file and jigs (the host restarted). */
  restart(): Promise<Station>;
  dispose(): Promise<void>;
}

export async function station(
  opts: {
    jigs?: number;
    flashTimeMs?: number;
    imageSize?: number;
    timeoutMs?: number;
    service?: Partial<JigServiceOptions>;
  } = {},
): Promise<Station> {
  const image = Uint8Array.from({ length: opts.imageSize ?? 3000 }, (_, i) => (i * 13 + 7) & 0xff);
  const firmware = new FirmwareStore(keys.publicKey);
  const manifest = describeImage(image, MODEL, TARGET);
  firmware.add(signManifest(manifest, keys.privateKey), image);
  const catalogue = {
    value: [{ model: MODEL, version: TARGET, status: "production" as const, sha256: manifest.sha256 }],
  };
  const hubs = new Map<string, BookedHub>();
  const journalPath = join(mkdtempSync(join(tmpdir(), "jig-journal-")), "flash-journal.jsonl");
  const sims = Array.from({ length: opts.jigs ?? 1 }, (_, j) =>
    SimulatedJig.create({
      serial: `JIG-${String.fromCharCode(65 + j)}`,
      flashTimeMs: opts.flashTimeMs ?? 5,
      progressTicks: 4,
    }),
  );
  return build(sims);

  async function build(simList: typeof sims): Promise<Station> {
    const journal = await FlashJournal.open(journalPath);
    const service = new JigService({
      journal,
      firmware,
      catalogue: () => catalogue.value,
      lookupHub: (id) => {
        const hub = hubs.get(id);
        return hub ? { hub, bookingRef: "BK-0001" } : null;
      },
      commitIdleTimeoutMs: 500,
      reconnectTimeoutMs: 2000,
      seatTimeoutMs: 2000,
      ...opts.service,
    });
    const jigs: Station["jigs"] = [];
    for (const s of simList) {
      const driver = new JigDriver(s.pair.host, { timeoutMs: opts.timeoutMs ?? 1000 });
      await driver.open();
      const id = await service.attachJig(driver);
      jigs.push({ ...s, driver, id });
    }
    const st: Station = {
      service,
      journal,
      jigs,
      hubs,
      catalogue,
      firmware,
      journalPath,
      seat(j, slot, n, faults) {
        const deviceId = hubId(n);
        if (!hubs.has(deviceId)) hubs.set(deviceId, bookedHub(deviceId));
        const sim = jigs[j]?.jig;
        if (!sim) throw new Error(`no jig ${j}`);
        sim.seatHub(slot, { deviceId, model: MODEL, firmwareVersion: FROM }, faults ? { faults } : {});
        return deviceId;
      },
      async crashWhileProgramming(j, slot, deviceId) {
        const rig = jigs[j];
        if (!rig) throw new Error(`no jig ${j}`);
        service.on("slot", (v) => {
          if (v.jigId === rig.id && v.slot === slot && v.step === "commit") service.kill();
        });
        const r = await service.load({ jigId: rig.id, slot, deviceId, operatorId: "tech-1" });
        if (!r.ok) throw new Error(`${r.code}: ${r.reason}`);
        await until(
          () => journal.interrupted().some((a) => a.deviceId === deviceId) && rig.jig.stateOf(slot) === "programming",
        );
      },
      async restart() {
        service.kill();
        for (const j of jigs) await j.driver.close();
        await journal.close();
        return build(simList);
      },
      async dispose() {
        service.kill();
        for (const j of jigs) {
          j.jig.dispose();
          await j.driver.close();
        }
        await journal.close().catch(() => undefined);
      },
    };
    return st;
  }
}

/** Polls until `cond` holds (the simulated jigs answer on later turns), or throws after `limitMs`. */
export async function until(cond: () => boolean, limitMs = 5000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 2));
  }
}
