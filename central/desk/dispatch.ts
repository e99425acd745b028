import type { Kysely } from "kysely";
import type { Database } from "../db/schema";
import { ApiError } from "../http/api-error";
import { loadBooking } from "../services/bookings";
import { recordChange } from "../services/changes";
import { DispatchDocumentSchema, type Booking, type DispatchDocument } from "../../shared/domain/booking";
import { checkDispatchDocument, parseDispatchRows } from "../../shared/domain/dispatch-document";
import type { DispatchSubmit, PortalDispatch, RowProblem } from "../../shared/desk-api";
import { decodeUpload, readRows } from "./files";

/**
 * The Party's dispatch document (MP155 Req 4) at central: read (entered pallets, or a CSV / XLSX
 * through the same reader and limits as the request template), checked against the booking
 * (shared/domain/dispatch-document.ts), stored once per booking (a new one replaces it until the
 * delivery arrives), and put on the booking's pull-feed change so the dock gets it with the booking.
 */

export type DispatchOutcome =
  | { ok: true; dispatch: PortalDispatch }
  | { ok: false; status: 404 | 409 | 422; error: string; reason: string; problems?: RowProblem[] | string[] };

/** Turns the page's entry or file into a document, or says what is wrong with it. */
export async function dispatchDocumentOf(
  body: DispatchSubmit,
): Promise<{ ok: true; doc: DispatchDocument } | { ok: false; reason: string; problems?: RowProblem[] }> {
  let pallets = body.pallets;
  if (body.file !== undefined) {
    const decoded = decodeUpload(body.file);
    if (!decoded.ok) return decoded;
    const rows = await readRows(body.file.fileName, decoded.bytes);
    if (!rows.ok) return rows;
    const parsed = parseDispatchRows(rows.rows);
    if (parsed.pallets === null)
      return {
        ok: false,
        reason: `${parsed.problems.length} row(s) need fixing; nothing was stored`,
        problems: parsed.problems,
      };
    pallets = parsed.pallets;
  }
  const doc = DispatchDocumentSchema.safeParse({ sentAt: body.sentAt, partySignifier: body.partySignifier, pallets });
  if (!doc.success)
    return {
      ok: false,
      reason: doc.error.issues
        .slice(0, 5)
        .map((i) => i.message)
        .join("; "),
    };
  return { ok: true, doc: doc.data };
}

function toPortal(ref: string, doc: DispatchDocument, submittedAt: Date, booking: Booking, now: Date): PortalDispatch {
  const check = checkDispatchDocument(doc, { ...booking, status: "authorised" }, now);
  return {
    bookingRef: ref,
    sentAt: doc.sentAt,
    partySignifier: doc.partySignifier,
    pallets: doc.pallets,
    submittedAt: submittedAt.toISOString(),
    check: { pallets: check.pallets, notListed: check.notListed },
  };
}

/** Stores a Party's dispatch document for its booking once it checks out against the booking. */
export async function submitDispatchDocument(
  db: Kysely<Database>,
  partyId: string,
  bookingRef: string,
  doc: DispatchDocument,
  actor: string,
  now = new Date(),
): Promise<DispatchOutcome> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom("bookings")
      .select(["party_id", "facility_id"])
      .where("booking_ref", "=", bookingRef)
      .forUpdate()
      .executeTakeFirst();
    // Another Party's booking is as unknown as a missing one.
    if (!row || row.party_id !== partyId)
      return { ok: false, status: 404, error: "unknown-booking", reason: `you have no booking ${bookingRef}` };
    const booking = await loadBooking(trx, bookingRef);
    if (!booking) throw new ApiError(404, "unknown-booking", `no booking ${bookingRef}`);
    const check = checkDispatchDocument(doc, booking, now);
    if (check.problems.length > 0)
      return {
        ok: false,
        status: booking.status === "authorised" ? 422 : 409,
        error: "does-not-match-booking",
        reason: `the dispatch document does not match booking ${bookingRef}; nothing was stored`,
        problems: check.problems,
      };
    const values = {
      party_id: partyId,
      sent_at: doc.sentAt,
      party_signifier: doc.partySignifier,
      pallets: JSON.stringify(doc.pallets),
      submitted_by: actor,
      submitted_at: now.toISOString(),
    };
    await trx
      .insertInto("dispatch_documents")
      .values({ booking_ref: bookingRef, ...values })
      .onConflict((oc) => oc.column("booking_ref").doUpdateSet(values))
      .execute();
    await recordChange(trx, "booking", bookingRef, row.facility_id);
    return { ok: true, dispatch: toPortal(bookingRef, doc, now, booking, now) };
  });
}

/** The dispatch documents of these bookings, as the dock gets them. */
export async function loadDispatchDocuments(
  db: Kysely<Database>,
  refs: readonly string[],
): Promise<Map<string, DispatchDocument>> {
  if (refs.length === 0) return new Map();
  const rows = await db
    .selectFrom("dispatch_documents")
    .select(["booking_ref", "sent_at", "party_signifier", "pallets"])
    .where("booking_ref", "in", refs)
    .execute();
  return new Map(
    rows.map((r) => [
      r.booking_ref,
      { sentAt: new Date(r.sent_at).toISOString(), partySignifier: r.party_signifier, pallets: r.pallets },
    ]),
  );
}

/** A Party's own dispatch document for its booking, or null (404 for a booking not its own). */
export async function portalDispatch(
  db: Kysely<Database>,
  partyId: string,
  bookingRef: string,
  now = new Date(),
): Promise<PortalDispatch | null> {
  const booking = await loadBooking(db, bookingRef);
  if (!booking || booking.partyId !== partyId)
    throw new ApiError(404, "unknown-booking", `you have no booking ${bookingRef}`);
  const r = await db
    .selectFrom("dispatch_documents")
    .selectAll()
    .where("booking_ref", "=", bookingRef)
    .executeTakeFirst();
  if (!r) return null;
  const doc: DispatchDocument = {
    sentAt: new Date(r.sent_at).toISOString(),
    partySignifier: r.party_signifier,
    pallets: r.pallets,
  };
  return toPortal(bookingRef, doc, new Date(r.submitted_at), booking, now);
}
