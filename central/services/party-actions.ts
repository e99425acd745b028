import type { Kysely } from "kysely";
import type { Database } from "../db/schema";
import type { BusinessConfig } from "../config";
import { ApiError } from "../http/api-error";
import { amendBooking, type Redelivery } from "./bookings";
import { enqueueNotice } from "./outbox";
import { addDays, siteZone, today, workingHoursProblem } from "./working-time";

/** A booking the Party owns, or 404 (a Party never learns of another Party's bookings). */
async function ownedBooking(db: Kysely<Database>, partyId: string, ref: string) {
  const b = await db.selectFrom("bookings").selectAll().where("booking_ref", "=", ref).executeTakeFirst();
  if (!b || b.party_id !== partyId)
    throw new ApiError(404, "unknown-booking", `booking ${ref} is not one of ${partyId}'s bookings`);
  return b;
}

export interface Slot {
  date: string;
  start: string;
  end: string;
}
export type LateArrivalOutcome =
  | { decision: "accepted"; slot: Slot; bookingVersion: number }
  | { decision: "offered"; reason: string; freeSlots: Slot[] };

/** Slots at a facility taken by other open bookings. */
async function takenSlots(db: Kysely<Database>, facilityId: string, exceptRef: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom("bookings")
    .select("doc")
    .where("facility_id", "=", facilityId)
    .where("booking_ref", "!=", exceptRef)
    .where("status", "in", ["authorised", "arrived", "receiving"])
    .execute();
  const taken = new Set<string>();
  for (const r of rows) {
    const d = r.doc as { deliveryDate: string; deliveryWindow: { start: string } };
    taken.add(`${d.deliveryDate} ${d.deliveryWindow.start}`);
  }
  return taken;
}

/**
 * Req 4, late arrival: the Party reports an ETA. If it falls in a free timeslot on a working
 * day, central moves the booking there; otherwise it answers with the free slots.
 */
export async function reportLateArrival(
  db: Kysely<Database>,
  cfg: BusinessConfig,
  partyId: string,
  ref: string,
  eta: { etaDate: string; etaTime: string },
  now = new Date(),
): Promise<LateArrivalOutcome> {
  return db.transaction().execute(async (trx) => {
    const b = await ownedBooking(trx, partyId, ref);
    if (b.status !== "authorised")
      throw new ApiError(
        409,
        "booking-not-open",
        `booking ${ref} is ${b.status}; a late arrival applies to an authorised booking not yet arrived`,
      );
    const taken = await takenSlots(trx, b.facility_id, ref);
    const slot = cfg.deliverySlots.find((s) => s.start <= eta.etaTime && eta.etaTime < s.end);
    let outcome: LateArrivalOutcome;
    const problem =
      eta.etaDate < today(now, siteZone(cfg))
        ? `ETA ${eta.etaDate} is in the past`
        : !slot
          ? `ETA ${eta.etaTime} is in no delivery timeslot`
          : (workingHoursProblem(cfg, eta.etaDate, slot) ??
            (taken.has(`${eta.etaDate} ${slot.start}`)
              ? `the ${slot.start}-${slot.end} slot on ${eta.etaDate} is taken`
              : null));
    if (problem === null && slot) {
      const version = await amendBooking(trx, ref, {
        deliveryDate: eta.etaDate,
        deliveryWindow: { start: slot.start, end: slot.end },
      });
      outcome = {
        decision: "accepted",
        slot: { date: eta.etaDate, start: slot.start, end: slot.end },
        bookingVersion: version,
      };
    } else {
      // Every free slot of every working day in the configured horizon, not a first few.
      const freeSlots: Slot[] = [];
      const from = eta.etaDate < today(now, siteZone(cfg)) ? today(now, siteZone(cfg)) : eta.etaDate;
      for (let d = 0; d < cfg.lateArrivalHorizonDays; d++) {
        const date = addDays(from, d);
        for (const s of cfg.deliverySlots) {
          if (workingHoursProblem(cfg, date, s) !== null || taken.has(`${date} ${s.start}`)) continue;
          if (date === eta.etaDate && s.start < eta.etaTime) continue;
          freeSlots.push({ date, start: s.start, end: s.end });
        }
      }
      outcome = { decision: "offered", reason: problem ?? "no slot", freeSlots };
    }
    await trx
      .insertInto("late_arrivals")
      .values({
        booking_ref: ref,
        eta_date: eta.etaDate,
        eta_time: eta.etaTime,
        decision: outcome.decision,
        offered: JSON.stringify(outcome.decision === "offered" ? outcome.freeSlots : [outcome.slot]),
      })
      .execute();
    const party = await trx.selectFrom("parties").select("email").where("id", "=", partyId).executeTakeFirstOrThrow();
    await enqueueNotice(trx, {
      kind: "late-arrival",
      to: party.email,
      subject: `Late arrival for booking ${ref}: ${outcome.decision === "accepted" ? "new slot accepted" : "please choose another slot"}`,
      text:
        outcome.decision === "accepted"
          ? `Your late arrival is accepted: ${outcome.slot.date} ${outcome.slot.start}-${outcome.slot.end}.`
          : `The ETA ${eta.etaDate} ${eta.etaTime} cannot be accepted (${outcome.reason}). Every free slot in the next ${cfg.lateArrivalHorizonDays} days:\n${slotsByDate(outcome.freeSlots)}`,
    });
    return outcome;
  });
}

/** Free slots, one line per date: "  2027-02-01: 08:00-10:00, 13:00-15:00". */
export function slotsByDate(slots: readonly Slot[]): string {
  if (slots.length === 0) return "  (none)";
  const byDate = new Map<string, string[]>();
  for (const s of slots) byDate.set(s.date, [...(byDate.get(s.date) ?? []), `${s.start}-${s.end}`]);
  return [...byDate].map(([date, times]) => `  ${date}: ${times.join(", ")}`).join("\n");
}

/** Req 8: the Party amends where and when its re-flashed hubs come back; docks pull it. */
export async function amendRedelivery(
  db: Kysely<Database>,
  cfg: BusinessConfig,
  partyId: string,
  ref: string,
  a: { deliveryDate: string; deliveryWindow: { start: string; end: string }; deliveryLocationId: string },
  now = new Date(),
): Promise<{ bookingVersion: number; redelivery: Redelivery }> {
  return db.transaction().execute(async (trx) => {
    const b = await ownedBooking(trx, partyId, ref);
    if (b.status === "cancelled") throw new ApiError(409, "booking-cancelled", `booking ${ref} is cancelled`);
    const problems: string[] = [];
    // The dock reviews an amendment with the same rule and the same "today" (past, minimum notice).
    const hours = workingHoursProblem(cfg, a.deliveryDate, a.deliveryWindow, today(now, siteZone(cfg)));
    if (hours) problems.push(hours);
    const loc = await trx
      .selectFrom("party_locations")
      .selectAll()
      .where("id", "=", a.deliveryLocationId)
      .where("party_id", "=", partyId)
      .executeTakeFirst();
    if (!loc) problems.push(`location ${a.deliveryLocationId} is not one of ${partyId}'s listed locations`);
    if (problems.length > 0 || !loc) throw new ApiError(422, "amendment-refused", problems.join("; "));
    const redelivery: Redelivery = {
      deliveryDate: a.deliveryDate,
      deliveryWindow: a.deliveryWindow,
      deliveryLocation: { id: loc.id, name: loc.name, address: loc.address },
    };
    await trx
      .updateTable("bookings")
      .set({ redelivery: JSON.stringify(redelivery) })
      .where("booking_ref", "=", ref)
      .execute();
    // The booking document carries the re-delivery side too, so the dock's next pull has it (Req 8).
    const version = await amendBooking(trx, ref, { redelivery });
    await trx
      .insertInto("amendments")
      .values({ booking_ref: ref, version, fields: JSON.stringify(redelivery) })
      .execute();
    const party = await trx.selectFrom("parties").select("email").where("id", "=", partyId).executeTakeFirstOrThrow();
    await enqueueNotice(trx, {
      kind: "amendment",
      to: party.email,
      subject: `Re-delivery for booking ${ref} amended`,
      text: `Re-delivery now ${a.deliveryDate} ${a.deliveryWindow.start}-${a.deliveryWindow.end} to ${loc.name}, ${loc.address}.`,
    });
    return { bookingVersion: version, redelivery };
  });
}

/** D-001: the Party's 6-monthly volume forecast (a later submission for the same period replaces it). */
export async function submitForecast(
  db: Kysely<Database>,
  partyId: string,
  f: { periodStart: string; hubs: number },
): Promise<void> {
  await db
    .insertInto("forecasts")
    .values({ party_id: partyId, period_start: f.periodStart, hubs: f.hubs })
    .onConflict((oc) =>
      oc.columns(["party_id", "period_start"]).doUpdateSet({ hubs: f.hubs, submitted_at: new Date().toISOString() }),
    )
    .execute();
}
