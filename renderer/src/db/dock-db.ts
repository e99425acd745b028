import Dexie, { type EntityTable, type Table, type Transaction } from "dexie";
import { z } from "zod";
import {
  DeliveryLocationSchema,
  DeliveryWindowSchema,
  IsoDateSchema,
  type Booking,
  type DeliveryLocation,
  type DeliveryWindow,
} from "../../../shared/domain/booking";
import {
  FirmwareEntrySchema,
  RedeliveryAmendmentSchema,
  SyncOperatorSchema,
  type FirmwareEntry,
  type RedeliveryAmendment,
  type SyncOperator,
} from "../../../shared/sync";
import { bookingSummary, type BookingSummary } from "../../../shared/domain/booking-columns";
import { createHubProjector, type DockHubRow } from "../../../shared/domain/dock-hub-projection";
import { openedReceipt, type ReceiptRecord } from "../../../shared/domain/receipt-decision";
import type { DockEvent } from "../../../shared/events";

/**
 * The dock's local database. The event log is the truth (append-only, never updated);
 * every other table is a projection of it or sync bookkeeping, so a projection can always
 * be rebuilt by replaying the log. Writes that must survive a crash (a scan and its
 * projection and outbox entry) happen in one transaction: see record-event.ts.
 */

/** One row of the append-only local log. `seq` is the local order of recording. */
export interface EventRow {
  seq?: number;
  id: string;
  type: DockEvent["type"];
  /** The booking the event belongs to, when it belongs to one (indexed since v2). */
  bookingRef: string | null;
  at: string;
  event: DockEvent;
}

/** An event waiting to be pushed to central. */
export interface OutboxRow {
  id: string;
  seq: number;
  enqueuedAt: number;
  attempts: number;
  lastError: string | null;
}

/** An event central refused: kept with its reason, never retried as-is, never blocking the rest. */
export interface QuarantineRow {
  id: string;
  event: DockEvent;
  reason: string;
  quarantinedAt: number;
}

/** The latest version of a booking central sent. */
export interface BookingRow {
  bookingRef: string;
  version: number;
  booking: Booking;
  pulledAt: number;
}

/**
 * A cached booking as the bookings list and the reconciler's other-bookings catalogue read it
 * (v5, issue 22): its head, counts and hubs in columns (shared/domain/booking-columns.ts), written
 * in the same transaction as its `bookings` row. 300,000 cached hubs load as a few ArrayBuffers a
 * booking instead of 300,000 objects; the whole Booking is read only for the receipt opened.
 */
export interface BookingListRow extends BookingSummary {
  bookingRef: string;
  version: number;
}

export function bookingListRow(booking: Booking): BookingListRow {
  return { bookingRef: booking.bookingRef, version: booking.version, ...bookingSummary(booking) };
}

export type ReceiptStatus = ReceiptRecord["status"];

/**
 * A receipt at this dock: what the receipt's decisions work on (shared/domain/receipt-decision.ts:
 * status, arrival, unloading, liability, outcome), the booking version it works against, and a
 * pending amendment.
 */
export interface ReceiptRow extends ReceiptRecord {
  /** The booking exactly as it was when the receipt opened; scans reconcile against this. */
  booking: Booking;
  /** A newer booking central sent while this receipt was open: shown, never applied silently. */
  amendment: Booking | null;
  updatedAt: number;
}

/** The row of a receipt just opened against `booking` (shared/domain's `openedReceipt`). */
export function openedReceiptRow(booking: Booking, updatedAt: number): ReceiptRow {
  return { ...openedReceipt(booking.bookingRef), booking, amendment: null, updatedAt };
}

/**
 * A receipt as the bookings list shows it: its row without the booking and amendment it holds
 * (a dock that has received a year of deliveries holds every cached hub there again, issue 22).
 */
export type ReceiptStatusRow = Omit<ReceiptRow, "booking" | "amendment">;

export function receiptStatusRow(row: ReceiptRow): ReceiptStatusRow {
  const { booking: _booking, amendment: _amendment, ...status } = row;
  return status;
}

/** Where each hub stands at this dock, projected from scan events (added in v2; `marks` since v3). */
export type HubStateRow = DockHubRow;

/** Small settings under typed keys (read and written through dock-meta.ts). */
export interface MetaRow {
  key: string;
  value: unknown;
}

/** An operator central registered at this facility (v4). */
export type OperatorRow = SyncOperator;
/** A firmware catalogue entry, by model and version (v4). */
export type FirmwareRow = FirmwareEntry;
/** A Party's re-delivery amendment, by booking and version (v4). */
export type AmendmentRow = RedeliveryAmendment;

/** What the booking looked like when a manifest was built: an amendment is a change against this (v4). */
export interface ManifestBasisRow {
  manifestId: string;
  bookingVersion: number;
  deliveryDate: string;
  deliveryWindow: DeliveryWindow;
  deliveryLocation: DeliveryLocation;
}

/** An issued ASN document, kept byte for byte as hashed: the download is that file (v4). */
export interface AsnDocumentRow {
  asnNumber: string;
  json: string;
}

export const DOCK_DB_NAME = "reflash-dock";

/** Options for tests: an injected IndexedDB (fake-indexeddb) instead of the browser's. */
export interface DockDbOptions {
  indexedDB?: IDBFactory;
  IDBKeyRange?: typeof IDBKeyRange;
}

/** Version 1 schema, kept verbatim: migrations are tested by opening it, seeding, then opening the latest. */
export const SCHEMA_V1 = {
  events: "++seq, &id, type",
  outbox: "id, seq",
  bookings: "bookingRef",
  receipts: "bookingRef, status",
  meta: "key",
};

/** Version 2: adds `hubStates` and `quarantine`, and indexes the log by booking. */
export const SCHEMA_V2 = {
  events: "++seq, &id, type, bookingRef",
  outbox: "id, seq",
  bookings: "bookingRef",
  receipts: "bookingRef, status",
  hubStates: "deviceId, bookingRef",
  quarantine: "id",
  meta: "key",
};

/** Version 3: the same stores; hub states are rebuilt with the one projection rule (see the upgrade). */
export const SCHEMA_V3 = SCHEMA_V2;

/** Version 4: typed tables for what lived in the `meta` drawer as lists and prefixed keys. */
export const SCHEMA_V4 = {
  ...SCHEMA_V3,
  operators: "operatorId",
  firmware: "[deviceModel+version]",
  amendments: "[bookingRef+bookingVersion], bookingRef",
  manifests: "manifestId",
  asnDocuments: "asnNumber",
};

/** Version 5: each cached booking's summary and hub columns beside it. */
export const SCHEMA_V5 = { ...SCHEMA_V4, bookingList: "bookingRef" };

/** Open receipts with an amendment waiting, in Dexie's index syntax (a compound index of v6). */
const RECEIPT_CONFLICTS_INDEX = "[status+amendment.version]";

/**
 * Version 6: open receipts with an amendment waiting, by index. A receipt row without an
 * amendment has no `amendment.version`, so it is not in this index at all; the index's keys
 * answer "which open receipts have a conflict" without reading a row (each holds its booking).
 */
export const SCHEMA_V6 = { ...SCHEMA_V5, receipts: `bookingRef, status, ${RECEIPT_CONFLICTS_INDEX}` };

/** The booking an event belongs to, read from its payload. */
export function eventBookingRef(event: DockEvent): string | null {
  const p = event.payload as { bookingRef?: unknown };
  return typeof p.bookingRef === "string" ? p.bookingRef : null;
}

/** The open receipts with an amendment waiting for the operator, from the v6 index's keys (no row is read). */
export function openReceiptConflicts(db: DockDb): Promise<string[]> {
  return db.receipts
    .where(RECEIPT_CONFLICTS_INDEX)
    .between(["open", Dexie.minKey], ["open", Dexie.maxKey], true, true)
    .primaryKeys();
}

export class DockDb extends Dexie {
  events!: EntityTable<EventRow, "seq">;
  outbox!: EntityTable<OutboxRow, "id">;
  quarantine!: EntityTable<QuarantineRow, "id">;
  bookings!: EntityTable<BookingRow, "bookingRef">;
  bookingList!: EntityTable<BookingListRow, "bookingRef">;
  receipts!: EntityTable<ReceiptRow, "bookingRef">;
  hubStates!: EntityTable<HubStateRow, "deviceId">;
  meta!: EntityTable<MetaRow, "key">;
  operators!: EntityTable<OperatorRow, "operatorId">;
  firmware!: Table<FirmwareRow, [string, string]>;
  amendments!: Table<AmendmentRow, [string, number]>;
  manifests!: EntityTable<ManifestBasisRow, "manifestId">;
  asnDocuments!: EntityTable<AsnDocumentRow, "asnNumber">;

  constructor(name = DOCK_DB_NAME, options: DockDbOptions = {}) {
    super(name, options);
    // v1 (first release): the log, outbox, cached bookings, receipts and settings.
    this.version(1).stores(SCHEMA_V1);
    // v2: reopening a receipt had to scan the whole log to find its events, and the hub
    // screen needed each hub's state without replaying. So the log gains a bookingRef
    // index (filled in for old rows), hubs get a projection built from the scans already
    // logged, and refused events get their own quarantine table.
    this.version(2)
      .stores(SCHEMA_V2)
      .upgrade(async (tx) => {
        await tx
          .table<EventRow, number>("events")
          .toCollection()
          .modify((row) => {
            row.bookingRef = eventBookingRef(row.event);
          });
        await rebuildHubStates(tx.table<EventRow, number>("events"), tx.table<HubStateRow, string>("hubStates"));
      });
    // v3: the v2 upgrade projected hub states by a rule of its own that disagreed with the live
    // write (every scan not "expected" refused, undos ignored), so after it a duplicate scan
    // turned a received hub into "refused" and the jig station refused that hub. The rows are
    // rebuilt from the log with the one rule the live write uses, and now keep the live scans
    // that set them (`marks`), so an undo falls back to the scans that remain.
    this.version(3)
      .stores(SCHEMA_V3)
      .upgrade(async (tx) => {
        await rebuildHubStates(tx.table<EventRow, number>("events"), tx.table<HubStateRow, string>("hubStates"));
      });
    // v4: `meta` had become a drawer of untyped values read back with casts: three lists the
    // sync client merged whole on every pull page (operators, firmware catalogue, re-delivery
    // amendments) and two families of prefixed keys (a manifest's basis, an ASN document).
    // Each gets a typed table keyed as it was merged; the old values are checked against the
    // same schemas central's answers are, moved, and their keys deleted. A value that does not
    // pass is left where it was (nothing is lost; the next pull brings the lists again).
    this.version(4)
      .stores(SCHEMA_V4)
      .upgrade(async (tx) => {
        await moveMetaToTables(tx);
      });
    // v5: the bookings list and every receipt's other-bookings catalogue held each cached
    // booking as objects, 300,000 BookedHub objects structured-cloned out at page load and walked
    // by every major GC (issue 22). Each booking gets its summary and hub columns beside it,
    // built here for the bookings already cached (their rows are unchanged).
    this.version(5)
      .stores(SCHEMA_V5)
      .upgrade(async (tx) => {
        const rows: BookingListRow[] = [];
        await tx.table<BookingRow, string>("bookings").each((row) => void rows.push(bookingListRow(row.booking)));
        await tx.table<BookingListRow, string>("bookingList").bulkPut(rows);
      });
    // v6: the sync health bar's conflict check (every round, 5 s) read every open receipt row
    // whole to see whether it had an amendment, structured-cloning its booking of ~1,800 hubs
    // out each time: ~0.5 MB of garbage a round during scanning (issue 22). An index answers it
    // from keys alone; IndexedDB builds it over the rows already stored.
    this.version(6).stores(SCHEMA_V6);
  }
}

const ManifestBasisSchema = z.object({
  bookingVersion: z.number().int(),
  deliveryDate: IsoDateSchema,
  deliveryWindow: DeliveryWindowSchema,
  deliveryLocation: DeliveryLocationSchema,
});

/** The v4 upgrade: moves the lists and prefixed keys out of `meta` into their tables. */
async function moveMetaToTables(tx: Transaction): Promise<void> {
  const meta = tx.table<MetaRow, string>("meta");
  const rows = await meta.toArray();
  const moved: string[] = [];
  const list = <T>(key: string, schema: z.ZodType<T>): T[] | null => {
    const parsed = z.array(schema).safeParse(rows.find((r) => r.key === key)?.value);
    if (!parsed.success) return null;
    moved.push(key);
    return parsed.data;
  };
  const operators = list("sync.operators", SyncOperatorSchema);
  if (operators) await tx.table<OperatorRow, string>("operators").bulkPut(operators);
  const firmware = list("sync.firmware", FirmwareEntrySchema);
  if (firmware) await tx.table<FirmwareRow, [string, string]>("firmware").bulkPut(firmware);
  const amendments = list("sync.redeliveryAmendments", RedeliveryAmendmentSchema);
  if (amendments) await tx.table<AmendmentRow, [string, number]>("amendments").bulkPut(amendments);
  for (const row of rows) {
    if (row.key.startsWith("supervisor.basis.")) {
      const basis = ManifestBasisSchema.safeParse(row.value);
      if (!basis.success) continue;
      await tx
        .table<ManifestBasisRow, string>("manifests")
        .put({ manifestId: row.key.slice("supervisor.basis.".length), ...basis.data });
      moved.push(row.key);
    } else if (row.key.startsWith("supervisor.asn.") && typeof row.value === "string") {
      await tx
        .table<AsnDocumentRow, string>("asnDocuments")
        .put({ asnNumber: row.key.slice("supervisor.asn.".length), json: row.value });
      moved.push(row.key);
    }
  }
  await meta.bulkDelete(moved);
}

/** True for the events that can move a hub's state: hub scans and undos. */
export function touchesHubs(event: DockEvent): boolean {
  return (event.type === "scan.recorded" && event.payload.kind === "hub") || event.type === "scan.undone";
}

/**
 * Every hub row rebuilt from the whole log with the rule the live write uses
 * (shared/domain/dock-hub-projection.ts): run by the Dexie upgrades inside their transaction,
 * and by anyone who must repair the projection.
 */
export async function rebuildHubStates(
  events: Pick<Table<EventRow, number | undefined>, "toCollection">,
  hubs: Pick<Table<HubStateRow, string>, "clear" | "bulkPut">,
): Promise<void> {
  const projector = createHubProjector();
  // In recording order (the primary key), streamed: a year's log is not held in memory.
  await events.toCollection().each((row) => {
    if (touchesHubs(row.event)) projector.apply(row.event);
  });
  await hubs.clear();
  await hubs.bulkPut([...projector.rows().values()]);
}

/** Opens the dock database and closes it when another window upgrades it, telling the UI to reload. */
export function openDockDb(
  onBlocked: (message: string) => void,
  name = DOCK_DB_NAME,
  options: DockDbOptions = {},
): DockDb {
  const db = new DockDb(name, options);
  db.on("versionchange", () => {
    // Another window is opening a newer version: holding on would block its upgrade forever.
    db.close();
    onBlocked(
      "This dock app was updated in another window. Reload this window to continue (nothing you scanned is lost).",
    );
    return false;
  });
  return db;
}
