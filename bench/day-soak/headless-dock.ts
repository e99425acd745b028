import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import {
  bridgeErrorFromBody,
  type BridgeEventName,
  type BridgeEventPayload,
  type DockBridge,
} from "../../shared/bridge/channels";
import { createBridgeDispatcher } from "../../shared/bridge/dispatch";
import { DEFAULT_PACKING_LIMITS, type BookedHub, type Booking, type DockSite } from "../../shared/domain/booking";
import { encodeCartonLabel, encodePalletLabel } from "../../shared/domain/labels";
import { formatSlotCode } from "../../shared/domain/slot-code";
import { createHostServices, type HostServices } from "../../host/host-services";
import { downloadFirmwareOnce } from "../../host/jig/firmware-download";
import { PUBLISHER_KEY_FILE } from "../../host/jig/jig-firmware";
import { jigSerial, loadJigStationConfig, startJigStation, type JigStation } from "../../host/jig/jig-station-setup";
import { DockDb } from "../../renderer/src/db/dock-db";
import { createDockStore, type DockStore } from "../../renderer/src/store/dock-store";
import { SyncClient } from "../../renderer/src/sync/sync-client";
import { OPERATORS_SYNCED_AT, readMeta } from "../../renderer/src/db/dock-meta";
import { DEMO_OPERATORS } from "../../central/demo-world";

/**
 * One dock of the soak, headless in this Node process but made of the real parts: the host's
 * services (host/host-services.ts) with its simulated jig station (host/jig/: the jig service,
 * flash journal and the simulated jigs speaking the jig protocol), firmware fetched from
 * central and checked against the pinned publisher key (host/jig/firmware-download.ts); the
 * renderer's dock store (receiving, jig station) and sync client over Dexie on fake-indexeddb,
 * as the renderer's tests and bench/poke.ts run them. Two windows of the app share the dock's
 * database, as two stores on one DockDb do in renderer/src/store/dock-store.test.ts: the
 * receiving PC's (a receiver) and the jig station's (a technician). The bridge between them is
 * in-process: the host's handlers behind the shared dispatcher (validation both ways), the
 * same object the Electron shell binds to IPC.
 */

export interface DockOptions {
  dockId: string;
  token: string;
  centralUrl: string;
  dataDir: string;
  publisherKeyPem: string;
  site: DockSite;
  flashMs: number;
  /** Device IDs whose simulated hub fails verification (a failed flash, with its fault report). */
  failing: readonly string[];
  log: (line: string) => void;
}

export interface DockProgress {
  received: number;
  loaded: number;
  finished: number;
  refusals: string[];
}

/** The renderer's bridge, in-process: requests through the dispatcher, events as the host emits them. */
function inProcessBridge(services: HostServices): DockBridge {
  const dispatch = createBridgeDispatcher(services.handlers);
  return {
    async invoke(channel, args) {
      const r = await dispatch(channel, args);
      if (!r.ok) throw bridgeErrorFromBody(r.error);
      // The dispatcher checked the result against this channel's own schema.
      return r.result as never;
    },
    on<E extends BridgeEventName>(event: E, listener: (payload: BridgeEventPayload<E>) => void) {
      return services.subscribe((e, payload) => {
        if (e === event) listener(payload as BridgeEventPayload<E>);
      });
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class HeadlessDock {
  readonly db: DockDb;
  readonly progress: DockProgress = { received: 0, loaded: 0, finished: 0, refusals: [] };
  private receiving!: DockStore;
  private station!: DockStore;
  private sync!: SyncClient;
  private services!: HostServices;
  private jig!: JigStation;
  /** Received hubs waiting for a slot. */
  private toFlash: Array<{ hub: BookedHub; bookingRef: string }> = [];
  private receivingDone = false;

  private constructor(private readonly o: DockOptions) {
    this.db = new DockDb(`soak-${o.dockId}`, { indexedDB: new IDBFactory(), IDBKeyRange });
  }

  static async start(o: DockOptions): Promise<HeadlessDock> {
    const dock = new HeadlessDock(o);
    await dock.boot();
    return dock;
  }

  private async boot(): Promise<void> {
    const o = this.o;
    const firmwareDir = join(o.dataDir, "firmware");
    await mkdir(firmwareDir, { recursive: true });
    await writeFile(join(firmwareDir, PUBLISHER_KEY_FILE), o.publisherKeyPem);
    // The host fetches its firmware from central through the same network the sync uses.
    for (let i = 0; ; i++) {
      const r = await downloadFirmwareOnce({
        centralUrl: o.centralUrl,
        token: o.token,
        dir: firmwareDir,
        publisherKeyPath: join(firmwareDir, PUBLISHER_KEY_FILE),
        log: (m) => o.log(`${o.dockId} ${m}`),
      });
      if (r !== null && r.problems.length === 0) break;
      if (i >= 30) throw new Error(`${o.dockId}: firmware could not be fetched from central`);
      await sleep(1000);
    }
    const cfg = loadJigStationConfig(
      {
        JIG_STATION: "simulated",
        JIG_COUNT: "3",
        JIG_FLASH_MS: String(o.flashMs),
        JIG_FIRMWARE_SYNC_MS: "0",
        JIG_SIMULATED_FAULTS: JSON.stringify(Object.fromEntries(o.failing.map((d) => [d, { verifyMismatch: true }]))),
      },
      { dataDir: o.dataDir, simulated: true },
    );
    if (!cfg.ok) throw new Error(cfg.error);
    const started = await startJigStation(cfg.config, (m) => o.log(`${o.dockId} ${m}`));
    if (!started.ok) throw new Error(`${o.dockId}: jig station: ${started.reason}`);
    this.jig = started.station;
    this.services = await createHostServices({
      shell: "browser",
      config: {
        centralUrl: o.centralUrl,
        centralToken: o.token,
        dockId: o.dockId,
        site: { facilityId: o.site.facilityId, name: `${o.dockId} soak`, csp: o.site.csp, production: false },
        version: "soak",
        simulated: true,
      },
      dataDir: o.dataDir,
      jig: started.station.binding,
    });
    const deps = {
      db: this.db,
      dockId: o.dockId,
      site: o.site,
      limits: DEFAULT_PACKING_LIMITS,
      now: Date.now,
      sound: { signal: () => undefined },
      clockOffsetMs: () => this.sync.getHealth().clockOffsetMs,
      onRecorded: (events?: number) => this.sync.recorded(events),
    };
    this.receiving = createDockStore(deps);
    this.station = createDockStore(deps);
    this.sync = new SyncClient(this.db, {
      baseUrl: o.centralUrl,
      token: o.token,
      fetch: (input, init) => fetch(input, init),
      maxDelayMs: 15_000,
      pokePath: "/sync/poke",
    });
    this.sync.start();
    // Operators sign in with their PINs once the dock has pulled them (before that, nobody can).
    const until = Date.now() + 60_000;
    while ((await readMeta(this.db, OPERATORS_SYNCED_AT)) === undefined) {
      if (Date.now() > until) throw new Error(`${o.dockId}: operators not pulled from central in 60 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const [store, id] of [
      [this.receiving, "OP-N-RECV"],
      [this.station, "OP-N-TECH"],
    ] as const) {
      const pin = DEMO_OPERATORS.find((d) => d.id === id)?.pin ?? "";
      if ((await store.getState().signIn(id, pin)) !== "signed-in")
        throw new Error(`${o.dockId}: ${id} could not sign in: ${store.getState().sessionError ?? "?"}`);
    }
    await this.station.getState().attachJigBridge(inProcessBridge(this.services));
  }

  /** Waits until the sync client has pulled these bookings into the dock's database. */
  async waitForBookings(refs: readonly string[], timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const have = await this.db.bookings
        .where("bookingRef")
        .anyOf([...refs])
        .count();
      if (have === refs.length) return;
      if (Date.now() > until) throw new Error(`${this.o.dockId}: ${have} of ${refs.length} bookings pulled`);
      await sleep(500);
    }
  }

  private async scan(raw: string): Promise<void> {
    const s = this.receiving.getState();
    s.submitScan(raw, "wedge");
    await s.settled();
    const err = this.receiving.getState().pendingError;
    if (err !== null) {
      this.progress.refusals.push(`${this.o.dockId} receiving ${raw}: ${err.reason}`);
      this.receiving.getState().acknowledge();
    }
  }

  /** The receiving PC: each booking's arrival, unloading, every label and hub scanned, the receipt closed accepted. */
  async receive(bookings: readonly Booking[]): Promise<void> {
    const s = () => this.receiving.getState();
    for (const b of bookings) {
      await s().openReceipt(b.bookingRef);
      await s().recordArrival(false, null);
      await s().setUnloader("dock");
      await s().startUnloading();
      await s().completeUnloading();
      for (const pallet of b.pallets) {
        const p = encodePalletLabel({ sscc: pallet.sscc, bookingRef: b.bookingRef });
        if (!p.ok) throw new Error(p.reason);
        await this.scan(p.scan);
        for (const carton of pallet.cartons) {
          const c = encodeCartonLabel({ sscc: carton.sscc, hubCount: carton.hubs.length });
          if (!c.ok) throw new Error(c.reason);
          await this.scan(c.scan);
          for (const hub of carton.hubs) {
            await this.scan(hub.deviceId);
            this.progress.received++;
          }
        }
      }
      const refused = await s().closeReceipt({
        outcome: "accepted",
        rejectedHubs: [],
        rejectionReason: null,
        packagingNotes: null,
        damageNotes: null,
      });
      if (refused !== null) throw new Error(`${this.o.dockId}: receipt ${b.bookingRef} not closed: ${refused}`);
      for (const pallet of b.pallets)
        for (const carton of pallet.cartons)
          for (const hub of carton.hubs) this.toFlash.push({ hub, bookingRef: b.bookingRef });
    }
    this.receivingDone = true;
  }

  /** The technician: a received hub into every free slot (seated, its ID scanned, the slot scanned), finished ones out. */
  async flashAll(): Promise<void> {
    const st = () => this.station.getState();
    const jigs = Array.from({ length: 3 }, (_, i) => jigSerial(i));
    const sim = this.jig.binding.simulator;
    if (sim === undefined) throw new Error("the soak needs the simulated station");
    let busy = 0;
    for (;;) {
      busy = 0;
      for (const view of st().jigSlots) {
        if (view.phase === "flashed" || view.phase === "failed") {
          await st().unloadJigSlot(view.jigId, view.slot);
          this.progress.finished++;
        } else if (view.phase !== "empty") busy++;
      }
      for (const view of st().jigSlots) {
        if (view.phase !== "empty") continue;
        const next = this.toFlash.shift();
        if (next === undefined) break;
        if (!sim.seat(view.jigId, view.slot, next.hub)) {
          this.toFlash.unshift(next);
          continue;
        }
        await st().submitJigScan(next.hub.deviceId, "wedge");
        await st().submitJigScan(formatSlotCode({ jigIndex: jigs.indexOf(view.jigId), slot: view.slot }), "wedge");
        const refusal = st().jigRefusal;
        if (refusal !== null) {
          this.progress.refusals.push(`${this.o.dockId} jig ${next.hub.deviceId}: ${refusal.reason}`);
          sim.remove(view.jigId, view.slot);
          await st().acknowledgeJigRefusal();
        } else {
          this.progress.loaded++;
          busy++;
        }
      }
      if (this.receivingDone && this.toFlash.length === 0 && busy === 0) break;
      await sleep(100);
    }
    await st().drainJigJournal();
  }

  /** Events not yet at central (the outbox); pushes now. */
  async unsent(): Promise<number> {
    this.sync.kick();
    return this.db.outbox.count();
  }

  /** Events central refused (the sync client's quarantine), with its reason. */
  async quarantined(): Promise<string[]> {
    return (await this.db.quarantine.toArray()).map((r) => `${this.o.dockId} ${r.event.type} ${r.id}: ${r.reason}`);
  }

  async eventIds(): Promise<string[]> {
    return (await this.db.events.toArray()).map((r) => r.id);
  }

  async close(): Promise<void> {
    this.sync.stop();
    await this.station.getState().attachJigBridge(null);
    await this.services.close();
    await this.jig.close();
    this.db.close();
  }
}
