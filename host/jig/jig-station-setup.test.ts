import { generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { firmwareSignedMessage, type FirmwareEntry } from "../../shared/sync";
import { describeImage, signManifest } from "../../hardware/firmware/firmware-store";
import { createHostServices } from "../host-services";
import { FaultReportedPayload } from "../../shared/events";
import { loadJigStationConfig, startJigStation, type JigStation } from "./jig-station-setup";
import { bookedHub, hubId, MODEL } from "./simulated-station";

// The host's jig station as main.ts builds it: env → signed firmware folder → simulated jigs → bridge handlers.

const TARGET = "00030000";
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const undo of cleanup.reverse()) await undo();
  cleanup.length = 0;
});

function entry(key: KeyObject | null, e: Omit<FirmwareEntry, "signature" | "keyId" | "releasedAt">): FirmwareEntry {
  const signer = key ?? generateKeyPairSync("ed25519").privateKey;
  return {
    ...e,
    keyId: "k1",
    releasedAt: "2026-01-01T00:00:00Z",
    signature: sign(null, Buffer.from(firmwareSignedMessage(e), "utf8"), signer).toString("base64"),
  };
}

/** A firmware folder as host/jig/jig-firmware-import.ts writes it; `forge` adds a higher "production" version signed by another key. */
function firmwareFolder(opts: { forge?: boolean } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "jig-fw-"));
  const keys = generateKeyPairSync("ed25519");
  const image = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7) & 0xff);
  const manifest = describeImage(image, MODEL, TARGET);
  writeFileSync(join(dir, "publisher.pem"), keys.publicKey.export({ type: "spki", format: "pem" }).toString());
  writeFileSync(join(dir, `${MODEL}-${TARGET}.bin`), image);
  writeFileSync(join(dir, `${MODEL}-${TARGET}.manifest.json`), JSON.stringify(signManifest(manifest, keys.privateKey)));
  const entries = [
    entry(keys.privateKey, {
      deviceModel: MODEL,
      version: TARGET,
      status: "production",
      sha256: manifest.sha256,
      sizeBytes: image.length,
    }),
  ];
  if (opts.forge)
    entries.push(
      entry(null, {
        deviceModel: MODEL,
        version: "0009FFFF",
        status: "production",
        sha256: "ab".repeat(32),
        sizeBytes: 10,
      }),
    );
  writeFileSync(join(dir, "catalogue.json"), JSON.stringify(entries));
  return dir;
}

function config(env: Record<string, string>) {
  const dataDir = mkdtempSync(join(tmpdir(), "jig-host-"));
  const r = loadJigStationConfig(env, { dataDir, simulated: true });
  if (!r.ok) throw new Error(r.error);
  return r.config;
}

async function start(env: Record<string, string>): Promise<{ station: JigStation; logs: string[] }> {
  const logs: string[] = [];
  const r = await startJigStation(config(env), (m) => logs.push(m));
  if (!r.ok) throw new Error(r.reason);
  cleanup.push(() => r.station.close());
  return { station: r.station, logs };
}

describe("jig station configuration", () => {
  it("defaults to 3 simulated jigs with the firmware folder in the data folder", () => {
    const c = config({});
    expect(c).toMatchObject({ mode: "simulated", jigCount: 3, flashTimeMs: 20_000, faults: {} });
    expect(c.firmwareDir.endsWith("/firmware")).toBe(true);
    expect(c.publisherKeyPath).toBe(join(c.firmwareDir, "publisher.pem"));
  });

  it("refuses bad values by name and faults without the simulator", () => {
    const dataDir = "/tmp/x";
    const bad = (env: Record<string, string>, simulated = true) => loadJigStationConfig(env, { dataDir, simulated });
    expect(bad({ JIG_COUNT: "9" })).toMatchObject({ ok: false, error: expect.stringContaining("JIG_COUNT") });
    expect(bad({ JIG_SIMULATED_FAULTS: "{not json" })).toMatchObject({
      ok: false,
      error: expect.stringContaining("not JSON"),
    });
    expect(
      bad({ JIG_SIMULATED_FAULTS: JSON.stringify({ "88-73-84-57-00-2F-00-01": { explode: true } }) }),
    ).toMatchObject({ ok: false });
    expect(
      bad({
        JIG_STATION: "off",
        JIG_SIMULATED_FAULTS: JSON.stringify({ "88-73-84-57-00-2F-00-01": { verifyMismatch: true } }),
      }),
    ).toMatchObject({ ok: false, error: expect.stringContaining("JIG_STATION=simulated") });
    // With real hardware the station waits for the USB jigs node-hid finds (host/usb-devices.ts).
    expect(bad({}, false)).toMatchObject({ ok: true, config: { mode: "usb" } });
  });

  it("does not start without a publisher key, saying where it looked", async () => {
    const r = await startJigStation(config({ JIG_FIRMWARE_DIR: mkdtempSync(join(tmpdir(), "jig-empty-")) }));
    expect(r).toMatchObject({ ok: false, reason: expect.stringContaining("publisher.pem") });
  });
});

describe("jig station on the host services", () => {
  it("flashes a booked hub on a simulated jig, fails a hub with an injected verify mismatch with a fault report, and ignores a forged catalogue entry", async () => {
    const bad = hubId(2);
    const { station, logs } = await start({
      JIG_FIRMWARE_DIR: firmwareFolder({ forge: true }),
      JIG_COUNT: "2",
      JIG_FLASH_MS: "20",
      JIG_SIMULATED_FAULTS: JSON.stringify({ [bad]: { verifyMismatch: true } }),
    });
    expect(logs.join("\n")).toContain("0009FFFF is not signed by the publisher key");
    expect(station.summary).toContain(`${MODEL}→${TARGET}`);
    const services = await createHostServices({
      shell: "browser",
      config: {
        centralUrl: "http://127.0.0.1:4010",
        centralToken: null,
        dockId: "d1",
        site: { facilityId: "F", name: "n", csp: "North", production: false },
        version: "0",
        simulated: true,
      },
      dataDir: null,
      jig: station.binding,
    });
    cleanup.push(() => services.close());
    expect((await services.handlers["jig.slots"]({})).slots).toHaveLength(16);

    const done = new Map<string, string>();
    const finished = new Promise<void>((resolve) =>
      services.subscribe((event, payload) => {
        const v = payload as { phase?: string; deviceId?: string | null };
        if (event === "jig.slot" && (v.phase === "flashed" || v.phase === "failed") && v.deviceId)
          done.set(v.deviceId, v.phase);
        if (done.size === 2) resolve();
      }),
    );
    const good = hubId(1);
    for (const [slot, id] of [good, bad].entries()) {
      const r = await services.handlers["jig.load"]({
        jigId: "JIG-B",
        slot,
        deviceId: id,
        operatorId: "tech",
        booked: { hub: bookedHub(id), bookingRef: "BK-0001" },
      });
      expect(r).toEqual({ ok: true, deviceId: id, toVersion: TARGET });
    }
    // A busy slot is refused and the simulated hub already in it stays.
    expect(
      await services.handlers["jig.load"]({
        jigId: "JIG-B",
        slot: 0,
        deviceId: hubId(3),
        operatorId: "tech",
        booked: { hub: bookedHub(hubId(3)), bookingRef: "BK-0001" },
      }),
    ).toMatchObject({ ok: false, code: "slot-busy" });
    await finished;
    expect(Object.fromEntries(done)).toEqual({ [good]: "flashed", [bad]: "failed" });

    const pending = await services.handlers["journal.pending"]({});
    expect(pending.entries.map((e) => e.kind).sort()).toEqual(["fault.reported", "flash.result", "flash.result"]);
    expect(pending.entries.find((e) => e.kind === "fault.reported")?.payload).toMatchObject({
      deviceId: bad,
      step: "verify",
      manual: false,
    });
    // A manual Fault Analysis Report through the bridge: refused for a hub still flashing, else journalled as a
    // valid fault.reported entry under the reference the answer gives.
    const damaged = hubId(5);
    const filed = await services.handlers["jig.fault-report"]({
      deviceId: damaged,
      damage: " crushed corner ",
      notes: "fell off the pallet",
      operatorId: "tech",
      jigId: null,
      slot: null,
    });
    if (!filed.ok) throw new Error(filed.reason);
    const manual = (await services.handlers["journal.pending"]({})).entries.find((e) => e.id === filed.reference);
    expect(manual?.kind).toBe("fault.reported");
    expect(FaultReportedPayload.parse(manual?.payload)).toMatchObject({
      deviceId: damaged,
      manual: true,
      damage: "crushed corner",
      notes: "fell off the pallet",
      step: null,
    });
    // Unloading takes the simulated hub out, so the slot takes the next one.
    expect(await services.handlers["jig.unload"]({ jigId: "JIG-B", slot: 0 })).toEqual({ ok: true });
    expect(
      await services.handlers["jig.load"]({
        jigId: "JIG-B",
        slot: 0,
        deviceId: hubId(4),
        operatorId: "tech",
        booked: { hub: bookedHub(hubId(4)), bookingRef: "BK-0001" },
      }),
    ).toMatchObject({ ok: true });
  });

  it("takes a new catalogue and a downloaded image without a restart, and stops a withdrawn version at once", async () => {
    const keys = generateKeyPairSync("ed25519");
    const dir = mkdtempSync(join(tmpdir(), "jig-fw-reload-"));
    const v1 = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7) & 0xff);
    const v2 = Uint8Array.from({ length: 4096 }, (_, i) => (i * 11) & 0xff);
    const m1 = describeImage(v1, MODEL, TARGET);
    const m2 = describeImage(v2, MODEL, "00040000");
    writeFileSync(join(dir, "publisher.pem"), keys.publicKey.export({ type: "spki", format: "pem" }).toString());
    writeFileSync(join(dir, `${MODEL}-${TARGET}.bin`), v1);
    writeFileSync(join(dir, `${MODEL}-${TARGET}.manifest.json`), JSON.stringify(signManifest(m1, keys.privateKey)));
    const e1 = entry(keys.privateKey, {
      deviceModel: MODEL,
      version: TARGET,
      status: "production",
      sha256: m1.sha256,
      sizeBytes: v1.length,
    });
    writeFileSync(join(dir, "catalogue.json"), JSON.stringify([e1]));
    const { station } = await start({ JIG_FIRMWARE_DIR: dir, JIG_COUNT: "1", JIG_FLASH_MS: "20" });
    const services = await createHostServices({
      shell: "browser",
      config: {
        centralUrl: "http://127.0.0.1:4010",
        centralToken: null,
        dockId: "d1",
        site: { facilityId: "F", name: "n", csp: "North", production: false },
        version: "0",
        simulated: true,
      },
      dataDir: null,
      jig: station.binding,
    });
    cleanup.push(() => services.close());
    const load = (slot: number, n: number) =>
      services.handlers["jig.load"]({
        jigId: "JIG-A",
        slot,
        deviceId: hubId(n),
        operatorId: "tech",
        booked: { hub: bookedHub(hubId(n)), bookingRef: "BK-0001" },
      });
    expect(await load(0, 1)).toMatchObject({ ok: true, toVersion: TARGET });

    // What firmware-download.ts leaves after a pull: the new image with its signed entry as proof, and the new catalogue.
    const e2 = entry(keys.privateKey, {
      deviceModel: MODEL,
      version: "00040000",
      status: "production",
      sha256: m2.sha256,
      sizeBytes: v2.length,
    });
    writeFileSync(join(dir, `${MODEL}-00040000.bin`), v2);
    writeFileSync(join(dir, `${MODEL}-00040000.entry.json`), JSON.stringify(e2));
    writeFileSync(join(dir, "catalogue.json"), JSON.stringify([e1, e2]));
    expect(await station.reloadFirmware()).toEqual({ ok: true, problems: [] });
    expect(await load(1, 2)).toMatchObject({ ok: true, toVersion: "00040000" });

    // Central withdraws it: the next pull's catalogue stops new flashes without a restart.
    writeFileSync(
      join(dir, "catalogue.json"),
      JSON.stringify([
        e1,
        entry(keys.privateKey, {
          deviceModel: MODEL,
          version: "00040000",
          status: "withdrawn",
          sha256: m2.sha256,
          sizeBytes: v2.length,
        }),
      ]),
    );
    await station.reloadFirmware();
    expect(await load(2, 3)).toMatchObject({ ok: true, toVersion: TARGET });
  });
});
