import {
  BRIDGE_PROTOCOL_VERSION,
  BridgeError,
  JournalEntrySchema,
  bridgeErrorFromBody,
  type BridgeArgs,
  type BridgeChannel,
  type BridgeEventName,
  type BridgeEventPayload,
  type BridgeHandlers,
  type BridgeResult,
  type DockBridge,
  type HostInfo,
  type JournalEntry,
  type ScannerRead,
} from "../../shared/bridge/channels";
import { BridgeListeners, checkBridgeEvent, createBridgeDispatcher } from "../../shared/bridge/dispatch";
import { newEventId } from "../../shared/domain/ids";

/**
 * An in-memory DockBridge for the renderer's unit tests: no host, no socket, same
 * contract (it passes shared/bridge/contract.ts), and it validates requests and events
 * with the same schemas, so a test that drives it wrongly fails as the real shell would.
 */

export interface TestBridge extends DockBridge {
  /** Sends a host event to the renderer (validated against the channel map). */
  emit<E extends BridgeEventName>(event: E, payload: BridgeEventPayload<E>): void;
  /** Every request the renderer made, in order (including refused ones). */
  readonly calls: Array<{ channel: string; args: unknown }>;
  /** The handlers behind `invoke`; replace one to script an answer or a failure. */
  readonly handlers: BridgeHandlers;
  /** Puts a hardware result into the fake journal, as a jig would. */
  seedJournal(kind: string, payload: unknown): JournalEntry;
  /** Listeners currently registered (checks that a component unsubscribes). */
  listenerCount(): number;
}

export interface TestBridgeOptions {
  info?: Partial<HostInfo>;
  now?: () => Date;
}

/** A fresh in-memory bridge with a simulated scanner and an empty journal. */
export function createTestBridge(options: TestBridgeOptions = {}): TestBridge {
  const now = options.now ?? (() => new Date());
  const info: HostInfo = {
    shell: "browser",
    version: "0.0.0-test",
    protocol: BRIDGE_PROTOCOL_VERSION,
    simulated: true,
    dockId: "dock-test",
    site: { facilityId: "FAC-TEST", name: "Test dock", csp: "North", production: false },
    centralUrl: "http://127.0.0.1:4010",
    centralToken: null,
    startedAt: now().toISOString(),
    ...options.info,
  };
  const listeners = new BridgeListeners((event, err) => {
    throw new Error(`test bridge: a listener for ${event} threw: ${String(err)}`);
  });
  let journal: JournalEntry[] = [];
  // HID-POS reads held until acknowledged, as host/scan-journal.ts holds them.
  let reads: ScannerRead[] = [];
  const calls: Array<{ channel: string; args: unknown }> = [];

  function emit<E extends BridgeEventName>(event: E, payload: BridgeEventPayload<E>): void {
    listeners.emit(event, checkBridgeEvent(event, payload));
  }

  function seed(kind: string, payload: unknown): JournalEntry {
    const at = now();
    const entry = JournalEntrySchema.parse({ id: newEventId(), kind, recordedAt: at.toISOString(), payload });
    journal = [...journal, entry];
    emit("journal.changed", { pending: journal.length });
    return entry;
  }

  const handlers: BridgeHandlers = {
    "host.info": async () => info,
    "journal.pending": async ({ limit }) => ({
      entries: journal.slice(0, limit ?? journal.length),
      total: journal.length,
    }),
    "journal.ack": async ({ ids }) => {
      const before = journal.length;
      journal = journal.filter((e) => !ids.includes(e.id));
      if (journal.length !== before) emit("journal.changed", { pending: journal.length });
      return { acknowledged: before - journal.length, remaining: journal.length };
    },
    "scanner.simulate": async ({ raw, symbology }) => {
      const at = now().toISOString();
      const read: ScannerRead = {
        source: "hid-pos",
        raw,
        at,
        scannerId: "simulated",
        readId: newEventId(),
        ...(symbology === undefined ? {} : { symbology }),
      };
      reads = [...reads, read];
      emit("scanner.scan", read);
      return { at };
    },
    "scanner.pending": async ({ limit }) => ({ reads: reads.slice(0, limit ?? reads.length), total: reads.length }),
    "scanner.ack": async ({ readIds }) => {
      const before = reads.length;
      reads = reads.filter((r) => !readIds.includes(r.readId));
      return { acknowledged: before - reads.length, remaining: reads.length };
    },
    "devices.list": async () => ({ devices: [] }),
    "host.logs": async () => ({ logDir: null, crashDumpDir: null }),
    // No enrolment by default: a test that enrols scripts this handler.
    "enrolment.enrol": async () => ({ ok: false, reason: "this test host keeps no enrolment" }),
    // No jig station by default: a test that needs one scripts these handlers.
    "jig.slots": async () => ({ slots: [] }),
    "jig.load": async ({ jigId }) => ({ ok: false, code: "unknown-jig", reason: `no jig ${jigId} is attached` }),
    "jig.unload": async () => ({ ok: true }),
    // A manual report is journalled as the host's jig station journals it (host/jig/jig-service.ts).
    "jig.fault-report": async ({ deviceId, damage, notes, jigId, slot }) => {
      const entry = seed("fault.reported", {
        deviceId,
        flashEventId: null,
        jigId,
        slot,
        step: null,
        jigSaid: null,
        stepTimingsMs: {},
        manual: true,
        notes: notes.trim(),
        disposition: "credit",
        damage: damage.trim(),
      });
      return { ok: true, reference: entry.id };
    },
    // Like the browser shell: no print service, so the renderer prints with window.print().
    "print.printers": async () => {
      throw new BridgeError("unavailable", "print.printers: no print service in the test bridge");
    },
    "print.page": async () => {
      throw new BridgeError("unavailable", "print.page: no print service in the test bridge");
    },
    "update.status": async () => ({ on: false, ready: false, message: "This dock does not update itself." }),
    "update.restart": async () => ({ restarting: false, message: "This dock does not update itself." }),
  };
  const dispatch = createBridgeDispatcher(handlers);

  return {
    async invoke<C extends BridgeChannel>(channel: C, args: BridgeArgs<C>): Promise<BridgeResult<C>> {
      calls.push({ channel, args });
      const outcome = await dispatch(channel, args);
      if (!outcome.ok) throw bridgeErrorFromBody(outcome.error);
      return outcome.result as BridgeResult<C>;
    },
    on: (event, listener) => listeners.add(event, listener),
    emit,
    calls,
    handlers,
    seedJournal: seed,
    listenerCount: () => listeners.size,
  };
}
