import type { FirmwareEntry, RedeliveryAmendment, SyncOperator } from "../../../shared/sync";
import type { Booking } from "../../../shared/domain/booking";
import {
  bookingListRow,
  type AmendmentRow,
  type BookingListRow,
  type DockDb,
  type FirmwareRow,
  type ManifestBasisRow,
  type OperatorRow,
} from "./dock-db";

export type { AmendmentRow, AsnDocumentRow, FirmwareRow, ManifestBasisRow, OperatorRow } from "./dock-db";

/**
 * Typed tables for what central sends as lists and what the supervisor keeps (Dexie v4; they
 * were lists and keys in the `meta` drawer before). The sync client merges pulled pages here
 * (a page carries only what changed since its cursor: a row replaces the one with its key),
 * the slices read them.
 */

/** The operators central registered at this facility, as last pulled (sign-in checks them offline). */
export async function knownOperators(db: DockDb): Promise<OperatorRow[]> {
  return db.operators.toArray();
}

/** Merges pulled operators by id. */
export async function mergeOperators(db: DockDb, operators: readonly SyncOperator[]): Promise<void> {
  if (operators.length > 0) await db.operators.bulkPut([...operators]);
}

/** The firmware catalogue as pulled (target versions for manifests), by model and version. */
export async function firmwareCatalogue(db: DockDb): Promise<FirmwareRow[]> {
  return db.firmware.toArray();
}

/** Merges pulled catalogue entries by model and version (a withdrawal replaces the entry). */
export async function mergeFirmware(db: DockDb, entries: readonly FirmwareEntry[]): Promise<void> {
  if (entries.length > 0) await db.firmware.bulkPut([...entries]);
}

/** A Party's re-delivery amendments (Req 8) for one booking, oldest version first. */
export async function amendmentsOf(db: DockDb, bookingRef: string): Promise<AmendmentRow[]> {
  return db.amendments.where("bookingRef").equals(bookingRef).sortBy("bookingVersion");
}

/** Merges pulled amendments by booking and version. */
export async function mergeAmendments(db: DockDb, amendments: readonly RedeliveryAmendment[]): Promise<void> {
  if (amendments.length > 0) await db.amendments.bulkPut([...amendments]);
}

export async function manifestBasis(db: DockDb, manifestId: string): Promise<ManifestBasisRow | undefined> {
  return db.manifests.get(manifestId);
}

export async function putManifestBasis(db: DockDb, row: ManifestBasisRow): Promise<void> {
  await db.manifests.put(row);
}

export async function asnDocument(db: DockDb, asnNumber: string): Promise<string | undefined> {
  return (await db.asnDocuments.get(asnNumber))?.json;
}

export async function putAsnDocument(db: DockDb, asnNumber: string, json: string): Promise<void> {
  await db.asnDocuments.put({ asnNumber, json });
}

/**
 * Caches bookings as pulled at `pulledAt`: each `bookings` row and its list row (summary and hub
 * columns, v5) in one transaction, so the two never disagree. Inside a caller's transaction over
 * both tables (the pull's) it joins that one.
 */
export async function putCachedBookings(db: DockDb, bookings: readonly Booking[], pulledAt: number): Promise<void> {
  await db.transaction("rw", [db.bookings, db.bookingList], async () => {
    await db.bookings.bulkPut(
      bookings.map((booking) => ({ bookingRef: booking.bookingRef, version: booking.version, booking, pulledAt })),
    );
    await db.bookingList.bulkPut(bookings.map(bookingListRow));
  });
}

/**
 * The cached bookings as the bookings list holds them: summaries and hub columns (v5), never the
 * whole Booking objects (issue 22). Every writer of `bookings` writes the booking's list row in
 * the same transaction; a booking stored without one (a row written by hand, a test's seed) gets
 * it built here from the booking, once, and stored (in one transaction with the read, so a pull
 * storing a newer version meanwhile is never overwritten by an older row). A list row whose
 * booking is gone is left out.
 */
export async function bookingList(db: DockDb): Promise<BookingListRow[]> {
  const [rows, refs] = await Promise.all([db.bookingList.toArray(), db.bookings.toCollection().primaryKeys()]);
  const have = new Set(rows.map((r) => r.bookingRef));
  const missing = refs.filter((ref) => !have.has(ref));
  if (missing.length > 0)
    rows.push(
      ...(await db.transaction("rw", [db.bookings, db.bookingList], async () => {
        const [bookings, listed] = await Promise.all([db.bookings.bulkGet(missing), db.bookingList.bulkGet(missing)]);
        const built = bookings.flatMap((row, i) => (row && !listed[i] ? [bookingListRow(row.booking)] : []));
        await db.bookingList.bulkPut(built);
        return [...listed.flatMap((r) => (r ? [r] : [])), ...built];
      })),
    );
  const cached = new Set(refs);
  return rows.filter((r) => cached.has(r.bookingRef));
}

/** The whole cached Bookings of these refs, in the order given (those not cached left out). */
export async function cachedBookings(db: DockDb, refs: readonly string[]): Promise<Booking[]> {
  return (await db.bookings.bulkGet([...refs])).flatMap((row) => (row ? [row.booking] : []));
}
