import {
  BridgeError,
  BRIDGE_PROTOCOL_VERSION,
  type BridgeEventName,
  type BridgeEventPayload,
  type BridgeHandlers,
  type HostInfo,
  type JournalEntry,
} from "../shared/bridge/channels";
import { checkBridgeEvent } from "../shared/bridge/dispatch";
import type { HostConfig } from "./config";
import { openHardwareJournal, type HardwareJournal } from "./hardware-journal";
import type { JigBinding } from "./jig/jig-binding";
import type { SlotView } from "./jig/jig-service";
import { createDeviceRegistry, type DeviceRegistry } from "./device-registry";
import type { DockCredentials } from "./enrolment";
import { fallbackLogger, type Logger } from "./log";
import { openScanJournal, type ScanJournal } from "./scan-journal";
import { createSimulatedScannerService, type ScannerService } from "./scanner-service";
import { newEventId } from "../shared/domain/ids";

/**
 * The host services, composed once and bound by either shell: the browser shell carries
 * `handlers` and `subscribe` over its WebSocket (./bridge-server.ts); the Electron main
 * binds the very same object to ipcMain and webContents.send (issue 8). Nothing here
 * knows which transport it serves.
 */

export type HostEventListener = (event: BridgeEventName, payload: unknown) => void;

export interface HostServices {
  /** One handler per bridge channel (validate with createBridgeDispatcher before calling). */
  handlers: BridgeHandlers;
  /** Every host → renderer event, already validated against the channel map. */
  subscribe(listener: HostEventListener): () => void;
  journal: HardwareJournal;
  /** HID-POS reads held until the renderer acknowledges them (./scan-journal.ts). */
  reads: ScanJournal;
  scanner: ScannerService;
  close(): Promise<void>;
}

export interface HostServicesOptions {
  shell: HostInfo["shell"];
  config: Pick<
    HostConfig,
    "centralUrl" | "centralToken" | "dockId" | "site" | "version" | "simulated" | "unsentAlarmMs"
  >;
  /** Null keeps the journal in memory (tests); else the directory of its file. */
  dataDir: string | null;
  /** Defaults to the simulated HID-POS scanner. */
  scanner?: ScannerService;
  /** The jig station; without it the jig.* channels answer "unavailable". */
  jig?: JigBinding;
  /** The devices panel's list (./device-registry.ts); one is made (with the simulated devices) when not given. */
  devices?: DeviceRegistry;
  /** The host's log (./log.ts); warnings to stdout when not given. */
  logger?: Logger;
  /** Shown to support staff through `host.logs`. */
  logDir?: string | null;
  crashDumpDir?: string | null;
  now?: () => Date;
  /** Where the dock's central credential comes from and how it is enrolled (./enrolment.ts); the config's token as given without it. */
  credentials?: Pick<DockCredentials, "enrol" | "current">;
}

/**
 * Merges two journals, each already oldest first, by UUIDv7 id (time first). Each side's
 * own order is kept even where two ids share a millisecond (a UUIDv7 made for a given time
 * is random within it), which a plain sort would not promise.
 */
export function mergeOldestFirst(a: readonly JournalEntry[], b: readonly JournalEntry[]): JournalEntry[] {
  const out: JournalEntry[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (y === undefined || (x !== undefined && x.id <= y.id)) {
      out.push(x as JournalEntry);
      i += 1;
    } else {
      out.push(y);
      j += 1;
    }
  }
  return out;
}

/** Builds the host services a shell binds to its bridge transport. */
/** What the update panel says where the app does not update itself. */
const NO_UPDATES = "This dock does not update itself: support installs new versions.";

export async function createHostServices(options: HostServicesOptions): Promise<HostServices> {
  const now = options.now ?? (() => new Date());
  const startedAt = now().toISOString();
  const journal = await openHardwareJournal(options.dataDir);
  const reads = await openScanJournal(options.dataDir);
  const logger = options.logger ?? fallbackLogger();
  const scanner = options.scanner ?? (await createSimulatedScannerService(now, logger));
  const listeners = new Set<HostEventListener>();
  const devices = options.devices ?? createDeviceRegistry(now);
  if (scanner.simulated)
    devices.upsert({
      id: "simulated",
      kind: "scanner",
      name: "Simulated HID-POS scanner",
      vendorId: null,
      productId: null,
      simulated: true,
      state: "connected",
      detail: null,
    });

  // Never throws: a malformed event is a host bug to log, and must not break the jig run that emitted it.
  function emit<E extends BridgeEventName>(event: E, payload: BridgeEventPayload<E>): void {
    let checked: BridgeEventPayload<E>;
    try {
      checked = checkBridgeEvent(event, payload);
    } catch (err) {
      logger.error({ err, event }, `host: dropped an invalid ${event} event`);
      return;
    }
    for (const listener of [...listeners]) {
      try {
        listener(event, checked);
      } catch (err) {
        logger.error({ err, event }, `host: ${event} subscriber threw`);
      }
    }
  }

  const jig = options.jig;
  const jigPending = (): JournalEntry[] =>
    (jig?.service.pending() ?? []).map((item) => ({
      id: item.id,
      kind: item.kind,
      recordedAt: item.recordedAt,
      payload: item.payload,
    }));
  const pendingTotal = () => journal.pending().total + (jig?.service.pending().length ?? 0);

  function requireJig(channel: string): JigBinding {
    if (jig === undefined) throw new BridgeError("unavailable", `${channel}: no jig station is bound to this host`);
    return jig;
  }

  const unsubscribers = [
    // Each read is on disk before any window hears of it; appends resolve in order, so reads go out in the order they came.
    scanner.onScan((scan) => {
      reads.append(scan).then(
        (read) => emit("scanner.scan", read),
        (err: unknown) => {
          // Not durable, but a read the operator made is still better shown than dropped.
          logger.error({ err }, "host: a HID-POS read could not be journalled; delivering it without a copy on disk");
          emit("scanner.scan", { ...scan, readId: newEventId() });
        },
      );
    }),
    journal.onChange(() => emit("journal.changed", { pending: pendingTotal() })),
    devices.onChange((list) => emit("devices.changed", { devices: list })),
    // The panel's "last read" for whichever scanner read it (USB or simulated); unknown ids are ignored.
    scanner.onScan((scan) => devices.recordRead(scan.scannerId, scan.raw, new Date(scan.at))),
  ];
  if (jig !== undefined) {
    const onSlot = (view: SlotView) => emit("jig.slot", view);
    const onJig = (status: { jigId: string; connected: boolean }) => {
      emit("jig.status", status);
      if (jig.simulator !== undefined)
        devices.setState(status.jigId, status.connected ? "connected" : "disconnected", null);
    };
    // Simulated jigs are on the devices panel too; USB jigs are put there by host/usb-devices.ts.
    if (jig.simulator !== undefined) {
      for (const jigId of new Set(jig.service.slotViews().map((v) => v.jigId)))
        devices.upsert({
          id: jigId,
          kind: "jig",
          name: `Simulated jig ${jigId}`,
          vendorId: null,
          productId: null,
          simulated: true,
          state: "connected",
          detail: null,
        });
    }
    const onJournal = () => emit("journal.changed", { pending: pendingTotal() });
    jig.service.on("slot", onSlot);
    jig.service.on("jig", onJig);
    jig.service.on("journal", onJournal);
    unsubscribers.push(() => {
      jig.service.off("slot", onSlot);
      jig.service.off("jig", onJig);
      jig.service.off("journal", onJournal);
    });
  }

  const handlers: BridgeHandlers = {
    "host.info": async () => {
      const now = options.credentials?.current();
      const config = now?.config ?? options.config;
      return {
        shell: options.shell,
        version: options.config.version,
        protocol: BRIDGE_PROTOCOL_VERSION,
        simulated: scanner.simulated,
        dockId: config.dockId,
        site: config.site,
        centralUrl: config.centralUrl,
        centralToken: config.centralToken,
        startedAt,
        ...(now ? { enrolment: now.state } : {}),
        ...(options.config.unsentAlarmMs !== undefined ? { unsentAlarmMs: options.config.unsentAlarmMs } : {}),
      };
    },
    "enrolment.enrol": async (args) => {
      if (options.credentials === undefined)
        throw new BridgeError("unavailable", "enrolment.enrol: this host keeps no enrolment");
      return options.credentials.enrol(args);
    },
    // One journal to the renderer: the host's own and the jig station's, merged in id (= time) order.
    "journal.pending": async ({ limit }) => {
      const entries = mergeOldestFirst(journal.pending().entries, jigPending());
      return { entries: limit === undefined ? entries : entries.slice(0, limit), total: entries.length };
    },
    "journal.ack": async ({ ids }) => {
      const own = await journal.ack(ids);
      const fromJig = jig === undefined ? 0 : await jig.service.acknowledge(ids);
      // The host journal announced its own change already; the jig's needs announcing (a repeat is harmless).
      if (fromJig > 0) emit("journal.changed", { pending: pendingTotal() });
      return { acknowledged: own.acknowledged + fromJig, remaining: pendingTotal() };
    },
    "scanner.simulate": async ({ raw, symbology }) => {
      if (!scanner.simulated) throw new BridgeError("unavailable", "scanner.simulate: this host drives real scanners");
      const scan = await scanner.simulate(raw, symbology);
      return { at: scan.at };
    },
    "scanner.pending": async ({ limit }) => reads.pending(limit),
    "scanner.ack": async ({ readIds }) => reads.ack(readIds),
    "devices.list": async () => ({ devices: devices.list() }),
    "host.logs": async () => ({ logDir: options.logDir ?? null, crashDumpDir: options.crashDumpDir ?? null }),
    "jig.slots": async () => ({ slots: requireJig("jig.slots").service.slotViews() }),
    "jig.load": async ({ booked, ...request }) => {
      const { service, bookedHubs, simulator } = requireJig("jig.load");
      bookedHubs.remember(booked.hub, booked.bookingRef);
      // Simulated hardware: the hub is seated as the technician would, before the load binds it.
      const seated = simulator?.seat(request.jigId, request.slot, booked.hub) ?? false;
      const result = await service.load(request);
      if (!result.ok) {
        if (seated) simulator?.remove(request.jigId, request.slot);
        return result;
      }
      // The run reports through slot events and the journal; its promise only needs a failure logged.
      result.done.catch((err: unknown) =>
        logger.error({ err, deviceId: result.deviceId }, `host: jig run for ${result.deviceId} failed`),
      );
      return { ok: true, deviceId: result.deviceId, toVersion: result.toVersion };
    },
    "jig.fault-report": async ({ deviceId, damage, notes, jigId, slot }) => {
      const { service } = requireJig("jig.fault-report");
      const r = await service.fileManualFaultReport({
        deviceId,
        damage: damage.trim(),
        notes: notes.trim(),
        // The Party is credited for a hub that cannot be re-flashed; what becomes of the hub is decided at central.
        disposition: "credit",
        jigId,
        slot,
      });
      return r.ok ? { ok: true, reference: r.item.id } : r;
    },
    "jig.unload": async ({ jigId, slot }) => {
      const { service, simulator } = requireJig("jig.unload");
      const result = service.unload(jigId, slot);
      if (result.ok) simulator?.remove(jigId, slot);
      return result;
    },
    // Printing belongs to a shell with a print path (Electron merges its print service over
    // these); the browser shell has none, so the renderer falls back to window.print().
    "print.printers": async () => {
      throw new BridgeError(
        "unavailable",
        "print.printers: this shell has no print service (use the browser's print dialog)",
      );
    },
    "print.page": async () => {
      throw new BridgeError(
        "unavailable",
        "print.page: this shell has no print service (use the browser's print dialog)",
      );
    },
    // The app's own updates belong to Electron with an update server (electron/updater.ts merges its answers over these).
    "update.status": async () => ({ on: false, ready: false, message: NO_UPDATES }),
    "update.restart": async () => ({ restarting: false, message: NO_UPDATES }),
  };

  return {
    handlers,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    journal,
    reads,
    scanner,
    async close() {
      for (const off of unsubscribers) off();
      listeners.clear();
      await scanner.close();
      await reads.close();
    },
  };
}
