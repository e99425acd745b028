import { join, resolve } from "node:path";
import { z } from "zod";
import { describeZodError } from "../../shared/bridge/channels";
import { REQUEST_TYPES } from "../../hardware/jig/messages";
import { JigDriver } from "../../hardware/jig/jig-driver";
import type { JigLink } from "../../hardware/jig/jig-link";
import { SimulatedJig, type HubFaults } from "../../hardware/jig/simulated-jig";
import { createBookedHubRegistry, type JigBinding, type SlotSimulator } from "./jig-binding";
import { loadFirmwareDirectory, PUBLISHER_KEY_FILE } from "./jig-firmware";
import { FlashJournal } from "./flash-journal";
import { JigService } from "./jig-service";

/**
 * Puts a jig station on the host: N jigs (simulated until a node-hid jig transport is
 * enumerated; see docs/jig-station.md), the signed firmware folder, and the flash journal
 * in the host's data folder. Configured from the environment, validated once:
 *
 * | JIG_STATION | `simulated` (default with DOCK_HARDWARE=simulated), `usb` (default with DOCK_HARDWARE=auto: jigs |
 * |             | attach as node-hid finds them, host/usb-devices.ts) or `off` |
 * | JIG_COUNT | jigs, 1-8 (default 3); serials JIG-A, JIG-B, … so a slot is "B4" |
 * | JIG_FLASH_MS | simulated programming time per hub (default 20000) |
 * | JIG_FIRMWARE_DIR | the firmware folder (default `<DOCK_DATA_DIR>/firmware`) |
 * | JIG_PUBLISHER_KEY | the publisher's Ed25519 public key (default `<JIG_FIRMWARE_DIR>/publisher.pem`) |
 * | JIG_SIMULATED_FAULTS | demo/tests only: JSON `{ "<Device ID>": HubFaults }` seated with that hub |
 */

const FaultsSchema = z.strictObject({
  unlockRefusals: z.number().int().nonnegative().optional(),
  writeErrorAtByte: z.number().int().nonnegative().optional(),
  verifyMismatch: z.boolean().optional(),
  hangAt: z
    .enum(Object.keys(REQUEST_TYPES) as [keyof typeof REQUEST_TYPES, ...Array<keyof typeof REQUEST_TYPES>])
    .optional(),
  reportDeviceId: z.string().min(1).max(64).optional(),
  versionAfterFlash: z
    .string()
    .regex(/^[0-9A-F]{8}$/)
    .optional(),
});

const FaultMapSchema = z.record(
  z.string().regex(/^[0-9A-F]{2}(-[0-9A-F]{2}){7}$/, "a Device ID key is XX-XX-XX-XX-XX-XX-XX-XX"),
  FaultsSchema,
);

export const JigEnvSchema = z.object({
  JIG_STATION: z.enum(["simulated", "usb", "off"]).optional(),
  JIG_COUNT: z.coerce.number().int().min(1).max(8).default(3),
  JIG_FLASH_MS: z.coerce.number().int().min(10).max(3_600_000).default(20_000),
  /** How often the host fetches the catalogue and new images from central (ms); 0: never (the folder is filled by hand). */
  JIG_FIRMWARE_SYNC_MS: z.coerce.number().int().min(0).max(86_400_000).default(600_000),
  JIG_FIRMWARE_DIR: z.string().min(1).optional(),
  JIG_PUBLISHER_KEY: z.string().min(1).optional(),
  JIG_SIMULATED_FAULTS: z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: "JIG_SIMULATED_FAULTS is not JSON" });
        return z.NEVER;
      }
    })
    .pipe(FaultMapSchema)
    .optional(),
});

export interface JigStationConfig {
  mode: "simulated" | "usb" | "off";
  jigCount: number;
  flashTimeMs: number;
  /** 0: the firmware folder is not fetched from central. */
  firmwareSyncMs: number;
  firmwareDir: string;
  publisherKeyPath: string;
  /** Faults the simulator seats with a given hub (Device ID in canonical form). */
  faults: Record<string, HubFaults>;
  journalPath: string;
}

/** Reads the jig station's settings; never throws. */
export function loadJigStationConfig(
  env: Record<string, string | undefined>,
  host: { dataDir: string; simulated: boolean },
): { ok: true; config: JigStationConfig } | { ok: false; error: string } {
  const present = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => k.startsWith("JIG_") && v !== undefined && v !== ""),
  );
  const parsed = JigEnvSchema.safeParse(present);
  if (!parsed.success) return { ok: false, error: `jig station configuration: ${describeZodError(parsed.error)}` };
  const e = parsed.data;
  const mode = e.JIG_STATION ?? (host.simulated ? "simulated" : "usb");
  // Faults are a simulator's feature: with real hardware nothing may be injected.
  if (e.JIG_SIMULATED_FAULTS !== undefined && mode !== "simulated")
    return { ok: false, error: "jig station configuration: JIG_SIMULATED_FAULTS needs JIG_STATION=simulated" };
  const firmwareDir = resolve(e.JIG_FIRMWARE_DIR ?? join(host.dataDir, "firmware"));
  return {
    ok: true,
    config: {
      mode,
      jigCount: e.JIG_COUNT,
      flashTimeMs: e.JIG_FLASH_MS,
      firmwareSyncMs: e.JIG_FIRMWARE_SYNC_MS,
      firmwareDir,
      publisherKeyPath: resolve(e.JIG_PUBLISHER_KEY ?? join(firmwareDir, PUBLISHER_KEY_FILE)),
      faults: e.JIG_SIMULATED_FAULTS ?? {},
      journalPath: join(host.dataDir, "flash-journal.jsonl"),
    },
  };
}

/** The serial of jig `i` (0-based): JIG-A, JIG-B, … */
export function jigSerial(i: number): string {
  return `JIG-${String.fromCharCode(65 + i)}`;
}

export interface JigStation {
  binding: JigBinding;
  /** Reads the firmware folder again (after ./firmware-download.ts filled it): new images join the store, the catalogue is replaced, no restart. */
  reloadFirmware(): Promise<{ ok: true; problems: string[] } | { ok: false; reason: string }>;
  /** A USB jig was plugged in and opened (host/usb-devices.ts): put it on the station; resolves with its serial. */
  attachJig(link: JigLink): Promise<string>;
  /** One line for the host log. */
  summary: string;
  close(): Promise<void>;
}

/** Builds and attaches the station; a firmware folder that cannot be read gives null and the reason (the host runs on without jigs). */
export async function startJigStation(
  config: JigStationConfig,
  log: (message: string) => void = () => undefined,
): Promise<{ ok: true; station: JigStation } | { ok: false; reason: string }> {
  if (config.mode === "off") return { ok: false, reason: "JIG_STATION=off" };
  const loaded = await loadFirmwareDirectory(config.firmwareDir, config.publisherKeyPath);
  if (!loaded.ok) return { ok: false, reason: loaded.reason };
  const { store, problems } = loaded.firmware;
  // Replaced by reloadFirmware: every check the service makes reads the catalogue through this.
  let catalogue = loaded.firmware.catalogue;
  for (const p of problems) log(`jig station: firmware: ${p}`);
  const journal = await FlashJournal.open(config.journalPath);
  const bookedHubs = createBookedHubRegistry();
  const service = new JigService({
    journal,
    firmware: store,
    catalogue: () => catalogue,
    lookupHub: bookedHubs.lookup,
  });
  const sims = new Map<string, SimulatedJig>();
  const drivers: JigDriver[] = [];
  for (let i = 0; config.mode === "simulated" && i < config.jigCount; i++) {
    const { jig, pair } = SimulatedJig.create({
      serial: jigSerial(i),
      flashTimeMs: config.flashTimeMs,
      progressTicks: 20,
    });
    const driver = new JigDriver(pair.host, { timeoutMs: 5000 });
    await driver.open();
    sims.set(await service.attachJig(driver), jig);
    drivers.push(driver);
  }
  // A restart may find flashes the journal shows in flight: finish or close them now.
  const recovered = await service.recover();
  const simulator: SlotSimulator | undefined =
    config.mode !== "simulated"
      ? undefined
      : {
          seat(jigId, slot, hub) {
            const sim = sims.get(jigId);
            if (sim === undefined || slot < 0 || slot > 7 || sim.hubIn(slot) !== null) return false;
            const faults = config.faults[hub.deviceId];
            sim.seatHub(
              slot,
              { deviceId: hub.deviceId, model: hub.deviceModel, firmwareVersion: hub.firmwareVersion },
              faults === undefined ? {} : { faults },
            );
            return true;
          },
          remove(jigId, slot) {
            sims.get(jigId)?.removeHub(slot);
          },
        };
  const targets =
    [...new Set(catalogue.filter((e) => e.status === "production").map((e) => `${e.model}→${e.version}`))].join(", ") ||
    "none";
  return {
    ok: true,
    station: {
      binding: simulator === undefined ? { service, bookedHubs } : { service, bookedHubs, simulator },
      // A jig attaching after start-up is asked about flashes a crash left in flight (JigService.attachJig).
      attachJig: (link) => service.attachJig(link),
      async reloadFirmware() {
        const again = await loadFirmwareDirectory(config.firmwareDir, config.publisherKeyPath);
        if (!again.ok) return again;
        const added = await store.loadDirectory(config.firmwareDir);
        catalogue = again.firmware.catalogue;
        return { ok: true, problems: [...again.firmware.problems, ...added.map((p) => `${p.file}: ${p.reason}`)] };
      },
      summary: `jig station: ${config.mode === "simulated" ? `${config.jigCount} simulated jig(s) × 8 slots (${[...sims.keys()].join(", ")}), ${config.flashTimeMs} ms a hub` : "USB jigs as they are plugged in"}; production firmware ${targets}; ${service.pending().length} result(s) waiting for the renderer; recovery closed ${recovered.closed}, resumed ${recovered.resumed}, recorded ${recovered.recorded}`,
      async close() {
        service.kill();
        for (const sim of sims.values()) sim.dispose();
        for (const d of drivers) await d.close().catch(() => undefined);
        await journal.close().catch(() => undefined);
      },
    },
  };
}
