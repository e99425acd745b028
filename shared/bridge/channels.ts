import { z } from "zod";
import {
  BookedHubSchema,
  BookingRefSchema,
  DeviceIdSchema,
  DockSiteSchema,
  HexFirmwareSchema,
} from "../domain/booking";
import { FlashStepSchema, JigIdSchema, SlotSchema } from "../events";
import { UnsentAlarmMsSchema } from "../domain/unsent-alarm";

/**
 * The bridge: the one typed API between the renderer and the host (ARCHITECTURE.md,
 * "Two shells, one renderer"). Like GitHub Desktop's `ipc-shared.ts`, ONE channel map
 * declares every request/response channel and every host → renderer event; here each
 * is a zod schema, so every shell validates what crosses its boundary with the same
 * code. The browser shell carries it over a loopback WebSocket (host/), Electron over
 * ipcMain + a contextBridge preload (electron/); the renderer only sees `DockBridge`.
 *
 * Adding a channel: add its schemas here, a handler in the host services, and the
 * contract check in ./bridge-contract.ts if it has shell-independent behaviour.
 */

/** Bumped when a change to this map is not backward compatible; both ends check it. */
export const BRIDGE_PROTOCOL_VERSION = 1;

/** An instant as the host stamps it: ISO-8601 UTC with milliseconds. */
export const InstantSchema = z.iso.datetime({ offset: false, precision: 3 });

/** UUIDv7 in canonical lower case (the project's id format, see ./domain/ids.ts). */
export const JournalIdSchema = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, "journal id is a lower-case UUIDv7");

/** A dock's identity as central knows it (also stamped on its events). */
export const DockIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "dock id is 1-64 of A-Z a-z 0-9 . _ - (starting alphanumeric)");

/** The facility this dock belongs to (the domain's DockSite, whose `facilityId` the synced operators carry), plus its display name. */
export const SiteConfigSchema = DockSiteSchema.extend({ name: z.string().min(1).max(200) });
export type SiteConfig = z.infer<typeof SiteConfigSchema>;

/** What the renderer learns about the shell it runs in. */
export const HostInfoSchema = z.strictObject({
  shell: z.enum(["browser", "electron"]),
  version: z.string().min(1).max(64),
  protocol: z.literal(BRIDGE_PROTOCOL_VERSION),
  /** True when the hardware behind the bridge is simulated (demo, tests, no USB). */
  simulated: z.boolean(),
  dockId: DockIdSchema,
  site: SiteConfigSchema,
  centralUrl: z.url({ protocol: /^https?$/ }),
  /**
   * The dock's device token for central, when the host is configured with one: the dock's
   * credential lives in the host's configuration, not in a URL a person types.
   */
  centralToken: z.string().min(1).max(512).nullable(),
  startedAt: InstantSchema,
  /**
   * How this dock got its central credential: "enrolled" with a one-time code (host/enrolment.ts),
   * "configured" by DOCK_CENTRAL_TOKEN (a development setting), "needed" when it has neither and
   * must be enrolled before use, "off" where the host was told not to ask (DOCK_ENROLMENT=off).
   */
  enrolment: z.enum(["enrolled", "configured", "needed", "off"]).optional(),
  /** How long the oldest unsent event may stay unmoved before the dock's alarm shows (DOCK_UNSENT_ALARM_SECONDS); absent: 10 minutes. */
  unsentAlarmMs: UnsentAlarmMsSchema.optional(),
});
export type HostInfo = z.infer<typeof HostInfoSchema>;

/**
 * A hardware result the host holds durably until the renderer has stored it in its own
 * event log and acknowledged it (ARCHITECTURE.md, data flow 3). `kind` names the
 * producer (e.g. "jig.slot-result"); the payload is plain JSON whose schema belongs to
 * that producer.
 */
export const JournalEntrySchema = z.strictObject({
  id: JournalIdSchema,
  kind: z
    .string()
    .regex(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/, "journal kind is dotted lower-case, e.g. jig.slot-result"),
  recordedAt: InstantSchema,
  payload: z.json(),
});
export type JournalEntry = z.infer<typeof JournalEntrySchema>;

/** Longest raw scan accepted over the bridge: a GS1-128 symbol holds at most 48 data characters, a DataMatrix far more. */
export const MAX_SCAN_LENGTH = 4096;

/** One read from a HID-POS scanner, exactly as the scanner sent it (the renderer parses it). */
export const ScannerScanSchema = z.strictObject({
  source: z.literal("hid-pos"),
  /** The decoded data, GS (0x1D) kept as the FNC1 separator; not yet parsed. */
  raw: z.string().min(1).max(MAX_SCAN_LENGTH),
  at: InstantSchema,
  /** Which scanner read it (several may be attached); "simulated" for the simulator. */
  scannerId: z.string().min(1).max(128),
  /** AIM symbology identifier (e.g. "]C1") when the scanner reports it. */
  symbology: z
    .string()
    .regex(/^\][A-Za-z][0-9A-Za-z]$/, "AIM identifier is ]Xn")
    .optional(),
});
export type ScannerScan = z.infer<typeof ScannerScanSchema>;

/**
 * A HID-POS read as the host delivers it: held durably by the host (host/scan-journal.ts)
 * under `readId` until the renderer has stored it and acknowledged it (`scanner.ack`), and
 * delivered again (`scanner.pending`) after a reload; the renderer keys the scan by it, so
 * a read delivered twice is stored once.
 */
export const ScannerReadSchema = ScannerScanSchema.extend({ readId: JournalIdSchema });
export type ScannerRead = z.infer<typeof ScannerReadSchema>;

/** One jig slot as the jig station screen draws it (host/jig/jig-service.ts `SlotView`). */
export const SlotViewSchema = z.strictObject({
  jigId: JigIdSchema,
  slot: SlotSchema,
  phase: z.enum(["empty", "waiting-for-hub", "flashing", "waiting-for-jig", "flashed", "failed"]),
  deviceId: DeviceIdSchema.nullable(),
  step: FlashStepSchema.nullable(),
  percent: z.number().min(0).max(100),
  attempt: z.number().int().nonnegative(),
  startedAt: z.string().nullable(),
  etaMs: z.number().nonnegative().nullable(),
  reason: z.string().max(2000).nullable(),
  manualReportRequired: z.boolean(),
});
export type SlotViewMessage = z.infer<typeof SlotViewSchema>;

/** A USB device the host watches (or a simulated one), as the devices panel shows it. */
export const DeviceViewSchema = z.strictObject({
  /** Stable while plugged in: the scanner's or jig's serial, else its OS path. */
  id: z.string().min(1).max(256),
  kind: z.enum(["scanner", "jig"]),
  /** What the device calls itself (its USB product string), or what the host names it. */
  name: z.string().min(1).max(256),
  vendorId: z.number().int().min(0).max(0xffff).nullable(),
  productId: z.number().int().min(0).max(0xffff).nullable(),
  simulated: z.boolean(),
  /** connected: open and working; disconnected: unplugged (kept on the list until restart); failed: present but could not be opened or used. */
  state: z.enum(["connected", "disconnected", "failed"]),
  /** The latest problem or state change in plain words (a malformed report, why it could not be opened), or null. */
  detail: z.string().max(500).nullable(),
  lastRead: z.strictObject({ raw: z.string().max(200), at: InstantSchema }).nullable(),
  since: InstantSchema,
});
export type DeviceView = z.infer<typeof DeviceViewSchema>;

const ReasonSchema = z.string().min(1).max(2000);
const OperatorIdSchema = z.string().min(1).max(64);

export const JigLoadRefusalSchema = z.enum([
  "bad-device-id",
  "unknown-jig",
  "jig-offline",
  "bad-slot",
  "slot-busy",
  "hub-busy",
  "not-booked",
  "not-eligible",
  "already-flashed",
  "no-firmware",
]);

const NoArgs = z.strictObject({});

/** What the renderer laid out for printing (print CSS): a sheet of labels or a manifest. */
export const PrintDocumentSchema = z.enum(["label", "manifest"]);

/** Millimetres: label stock is specified in mm (e.g. 100 x 150). */
export const PageSizeSchema = z.union([
  z.enum(["A4", "A5", "A6", "Letter"]),
  z.strictObject({ widthMm: z.number().min(10).max(1000), heightMm: z.number().min(10).max(1000) }),
]);
export type PageSize = z.infer<typeof PageSizeSchema>;

/** Request/response channels: the renderer invokes, the host answers. */
export const bridgeRequests = {
  /** Which shell, which dock, which central; asked once at start-up. */
  "host.info": { args: NoArgs, result: HostInfoSchema },
  /** Hardware results not yet acknowledged, oldest first. */
  "journal.pending": {
    args: z.strictObject({ limit: z.number().int().min(1).max(500).optional() }),
    result: z.strictObject({ entries: z.array(JournalEntrySchema), total: z.number().int().nonnegative() }),
  },
  /** The renderer has durably stored these entries: the host may forget them. Unknown ids are ignored (acks are idempotent). */
  "journal.ack": {
    args: z.strictObject({ ids: z.array(JournalIdSchema).min(1).max(500) }),
    result: z.strictObject({ acknowledged: z.number().int().nonnegative(), remaining: z.number().int().nonnegative() }),
  },
  /** Demo and tests only: make the simulated HID-POS scanner read `raw`. Refused ("unavailable") with real hardware. */
  "scanner.simulate": {
    args: z.strictObject({
      // A HID-POS scanner sends bytes (one character each, NUL never), so nothing above U+00FF.
      raw: z
        .string()
        .min(1)
        .max(MAX_SCAN_LENGTH)
        .regex(/^[\x01-\xff]+$/, "a HID-POS read is Latin-1 bytes, no NUL"),
      symbology: z
        .string()
        .regex(/^\][A-Za-z][0-9A-Za-z]$/, "AIM identifier is ]Xn")
        .optional(),
    }),
    result: z.strictObject({ at: InstantSchema }),
  },
  /** HID-POS reads the renderer has not acknowledged yet, oldest first (after a reload: reads that reached no window, or whose ack was lost). */
  "scanner.pending": {
    args: z.strictObject({ limit: z.number().int().min(1).max(500).optional() }),
    result: z.strictObject({ reads: z.array(ScannerReadSchema), total: z.number().int().nonnegative() }),
  },
  /** The renderer has stored these reads (or judged them and chose to ignore them): the host may forget them. Unknown ids are ignored. */
  "scanner.ack": {
    args: z.strictObject({ readIds: z.array(JournalIdSchema).min(1).max(500) }),
    result: z.strictObject({ acknowledged: z.number().int().nonnegative(), remaining: z.number().int().nonnegative() }),
  },
  /**
   * Enrol this dock with central using a one-time code from the DCC desk: the host trades the
   * code for the dock's token at POST /enrol and stores it (encrypted where the OS allows). A
   * refusal (wrong, used or expired code, central unreachable) is an answer; nothing is stored then.
   */
  "enrolment.enrol": {
    args: z.strictObject({
      centralUrl: z.string().trim().min(1).max(2048),
      dockId: z.string().trim().min(1).max(64),
      code: z.string().trim().min(1).max(64),
    }),
    result: z.discriminatedUnion("ok", [
      z.strictObject({ ok: z.literal(true), dockId: DockIdSchema, facilityId: z.string().min(1).max(64) }),
      z.strictObject({ ok: z.literal(false), reason: z.string().min(1).max(500) }),
    ]),
  },
  /** Where this dock keeps its log files and crash dumps, for support staff (null where there are none). */
  "host.logs": {
    args: NoArgs,
    result: z.strictObject({ logDir: z.string().max(4096).nullable(), crashDumpDir: z.string().max(4096).nullable() }),
  },
  /** The scanners and jigs the host found (USB) or simulates, with their state and last read. */
  "devices.list": { args: NoArgs, result: z.strictObject({ devices: z.array(DeviceViewSchema).max(64) }) },
  /** Every slot of every attached jig. */
  "jig.slots": { args: NoArgs, result: z.strictObject({ slots: z.array(SlotViewSchema) }) },
  /**
   * A technician scanned a hub into a slot: check, bind, start flashing. The renderer
   * owns the bookings (Dexie), so it sends the booked record of the hub it loads; the host
   * checks the hub's identity against it on the jig. A refusal is an answer, not an error.
   */
  "jig.load": {
    args: z.strictObject({
      jigId: JigIdSchema,
      slot: SlotSchema,
      /** As scanned (any notation the device-id parser accepts). */
      deviceId: z.string().min(1).max(64),
      operatorId: OperatorIdSchema,
      booked: z.strictObject({ hub: BookedHubSchema, bookingRef: BookingRefSchema }),
      override: z.strictObject({ supervisorId: OperatorIdSchema, reason: ReasonSchema }).optional(),
    }),
    result: z.discriminatedUnion("ok", [
      z.strictObject({ ok: z.literal(true), deviceId: DeviceIdSchema, toVersion: HexFirmwareSchema }),
      z.strictObject({ ok: z.literal(false), code: JigLoadRefusalSchema, reason: ReasonSchema }),
    ]),
  },
  /**
   * A technician's manual Fault Analysis Report (Req 6: damage prevents analysis): the host
   * journals it as a `fault.reported` entry, which reaches the event log and central like a
   * jig's own report. The renderer has checked the hub against its log first
   * (shared/domain/manual-fault-report.ts); the host refuses a hub still busy on a jig.
   */
  "jig.fault-report": {
    args: z.strictObject({
      deviceId: DeviceIdSchema,
      damage: z.string().trim().min(3).max(500),
      notes: z.string().max(2000),
      operatorId: OperatorIdSchema,
      /** The slot it sits in, when it is on a jig. */
      jigId: JigIdSchema.nullable(),
      slot: SlotSchema.nullable(),
    }),
    result: z.discriminatedUnion("ok", [
      /** `reference`: the report's id, its event id at central and on the Party's email. */
      z.strictObject({ ok: z.literal(true), reference: JournalIdSchema }),
      z.strictObject({ ok: z.literal(false), reason: ReasonSchema }),
    ]),
  },
  /** The technician took a finished hub out of its slot. */
  "jig.unload": {
    args: z.strictObject({ jigId: JigIdSchema, slot: SlotSchema }),
    result: z.discriminatedUnion("ok", [
      z.strictObject({ ok: z.literal(true) }),
      z.strictObject({ ok: z.literal(false), reason: ReasonSchema }),
    ]),
  },
  /**
   * The printers the OS offers, for the label-station settings. Electron's print service
   * answers (electron/print-service.ts); the browser shell answers "unavailable" and the
   * renderer prints with window.print() instead.
   */
  "print.printers": {
    args: NoArgs,
    result: z.strictObject({
      printers: z
        .array(
          z.strictObject({
            name: z.string().max(256),
            displayName: z.string().max(256),
            description: z.string().max(1000),
          }),
        )
        .max(200),
    }),
  },
  /** Prints the window's current page (the label or manifest the renderer just laid out); "unavailable" in the browser shell. */
  "print.page": {
    args: z.strictObject({
      document: PrintDocumentSchema,
      output: z.enum(["printer", "pdf"]),
      /** With output "printer": print silently to this printer; without it the system print dialog opens. */
      printerName: z.string().min(1).max(256).optional(),
      copies: z.number().int().min(1).max(99).optional(),
      pageSize: PageSizeSchema.optional(),
      landscape: z.boolean().optional(),
    }),
    result: z.strictObject({
      printed: z.boolean(),
      /** Why nothing was printed (e.g. the operator cancelled the dialog). */
      reason: z.string().max(500).optional(),
      /** With output "pdf": where the PDF was written. */
      pdfPath: z.string().max(4096).optional(),
    }),
  },
  /**
   * The app's own update (electron/updater.ts): whether this dock takes updates, whether one is
   * downloaded and ready, and what to tell the operator. Off in the browser shell and when no
   * update server is configured.
   */
  "update.status": {
    args: NoArgs,
    result: z.strictObject({ on: z.boolean(), ready: z.boolean(), message: z.string().min(1).max(500) }),
  },
  /** "Restart to update": restarts and installs only when no hub is being flashed; otherwise says why. */
  "update.restart": {
    args: NoArgs,
    result: z.strictObject({ restarting: z.boolean(), message: z.string().min(1).max(500) }),
  },
} as const;

/** Host → renderer events. */
export const bridgeEvents = {
  "scanner.scan": ScannerReadSchema,
  /** The journal gained or lost entries: the renderer pulls `journal.pending`. */
  "journal.changed": z.strictObject({ pending: z.number().int().nonnegative() }),
  /** A slot changed (phase, step, progress). */
  "jig.slot": SlotViewSchema,
  /** A device was found, lost, failed or read something: the whole list again. */
  "devices.changed": z.strictObject({ devices: z.array(DeviceViewSchema).max(64) }),
  /** A jig was attached or lost. */
  "jig.status": z.strictObject({ jigId: JigIdSchema, connected: z.boolean() }),
} as const;

export type BridgeChannel = keyof typeof bridgeRequests;
export type BridgeArgs<C extends BridgeChannel> = z.infer<(typeof bridgeRequests)[C]["args"]>;
export type BridgeResult<C extends BridgeChannel> = z.infer<(typeof bridgeRequests)[C]["result"]>;
export type BridgeEventName = keyof typeof bridgeEvents;
export type BridgeEventPayload<E extends BridgeEventName> = z.infer<(typeof bridgeEvents)[E]>;

/** Every channel and event name, for allow-lists (the Electron preload) and tests. */
export const BRIDGE_CHANNELS = Object.keys(bridgeRequests) as BridgeChannel[];
export const BRIDGE_EVENTS = Object.keys(bridgeEvents) as BridgeEventName[];

/**
 * What the renderer is handed as `window.dock` (or a test double). Both shells
 * implement it; `invoke` rejects with an Error whose message starts with a
 * `BridgeErrorCode` (see `bridgeErrorCode`), because an Error crossing Electron's
 * contextBridge keeps only its message.
 */
export interface DockBridge {
  invoke<C extends BridgeChannel>(channel: C, args: BridgeArgs<C>): Promise<BridgeResult<C>>;
  /** Listen to a host event; returns the function that stops listening. */
  on<E extends BridgeEventName>(event: E, listener: (payload: BridgeEventPayload<E>) => void): () => void;
}

/** The host side of every channel: what a shell binds to its transport. */
export type BridgeHandlers = {
  [C in BridgeChannel]: (args: BridgeArgs<C>) => Promise<BridgeResult<C>>;
};

export const BRIDGE_ERROR_CODES = [
  "bad-request", // the args (or the frame) failed the schema
  "unknown-channel",
  "unavailable", // the channel exists but this shell cannot serve it now (e.g. simulate on real hardware)
  "failed", // the host tried and failed; the message says why
  "disconnected", // the transport dropped before an answer: the request may or may not have run
  "closed", // the bridge was closed by its owner
] as const;
export const BridgeErrorCodeSchema = z.enum(BRIDGE_ERROR_CODES);
export type BridgeErrorCode = z.infer<typeof BridgeErrorCodeSchema>;

/** An error as it travels back to the renderer. */
export const BridgeErrorBodySchema = z.strictObject({ code: BridgeErrorCodeSchema, message: z.string().max(2000) });
export type BridgeErrorBody = z.infer<typeof BridgeErrorBodySchema>;

/** The error a bridge call rejects with; `message` is "<code>: <detail>". */
export class BridgeError extends Error {
  readonly code: BridgeErrorCode;
  constructor(code: BridgeErrorCode, detail: string) {
    super(`${code}: ${detail}`);
    this.name = "BridgeError";
    this.code = code;
  }
}

/** Rebuilds the error a shell sent back (the body's message already starts with its code). */
export function bridgeErrorFromBody(body: BridgeErrorBody): BridgeError {
  const prefix = `${body.code}: `;
  return new BridgeError(body.code, body.message.startsWith(prefix) ? body.message.slice(prefix.length) : body.message);
}

/** The bridge error code of a rejection, read from `.code` or the message prefix; null when it is not a bridge error. */
export function bridgeErrorCode(err: unknown): BridgeErrorCode | null {
  if (typeof err !== "object" || err === null) return null;
  const code = (err as { code?: unknown }).code;
  const direct = BridgeErrorCodeSchema.safeParse(code);
  if (direct.success) return direct.data;
  const message = (err as { message?: unknown }).message;
  if (typeof message !== "string") return null;
  const prefix = BridgeErrorCodeSchema.safeParse(message.split(":", 1)[0]);
  return prefix.success ? prefix.data : null;
}

/** True when `name` is one of the map's request channels (own keys only, so "__proto__" is not). */
export function isBridgeChannel(name: unknown): name is BridgeChannel {
  return typeof name === "string" && Object.hasOwn(bridgeRequests, name);
}

/** True when `name` is one of the map's event names. */
export function isBridgeEventName(name: unknown): name is BridgeEventName {
  return typeof name === "string" && Object.hasOwn(bridgeEvents, name);
}

/** Compact, human-readable summary of a zod failure for an error message. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(root)"}: ${issue.message}`)
    .join("; ");
}
