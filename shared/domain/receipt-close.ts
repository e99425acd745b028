import { palletHubs, type Booking } from "./booking";
import type { ReceiptState } from "./receipt-state";

/**
 * What closing a receipt shows and checks (MP155 Req 5, issue 18): received / booked / missing
 * per pallet (and for loose cartons), so the outcome is chosen against the counts, never by a
 * default; and the close refused in plain words, naming what to change.
 */

export interface CloseLine {
  /** The pallet's SSCC, or null for the loose cartons. */
  pallet: string | null;
  booked: number;
  received: number;
  /** Here but held for a decision (not eligible, wrong container, test-lab). */
  held: number;
  missing: number;
}

export interface CloseFigures {
  lines: CloseLine[];
  total: CloseLine;
  /** Hubs scanned that are not this booking's (set aside, never accepted). */
  extra: number;
}

/** Per pallet and in total: booked, received, held and missing hubs now. */
export function closeFigures(state: ReceiptState): CloseFigures {
  const { booking } = state.index;
  const hubs = state.core.hubs;
  const line = (pallet: string | null, ids: Iterable<string>): CloseLine => {
    const l: CloseLine = { pallet, booked: 0, received: 0, held: 0, missing: 0 };
    for (const id of ids) {
      l.booked++;
      const d = hubs.get(id)?.disposition;
      if (d === "received") l.received++;
      else if (d === "held") l.held++;
      else l.missing++;
    }
    return l;
  };
  const lines = booking.pallets.map((p) =>
    line(
      p.sscc,
      [...palletHubs(p), ...p.cartons.flatMap((c) => c.hubs)].map((h) => h.deviceId),
    ),
  );
  if (booking.looseCartons.length > 0)
    lines.push(
      line(
        null,
        booking.looseCartons.flatMap((c) => c.hubs.map((h) => h.deviceId)),
      ),
    );
  const total = lines.reduce<CloseLine>(
    (t, l) => ({
      pallet: null,
      booked: t.booked + l.booked,
      received: t.received + l.received,
      held: t.held + l.held,
      missing: t.missing + l.missing,
    }),
    { pallet: null, booked: 0, received: 0, held: 0, missing: 0 },
  );
  let extra = 0;
  hubs.forEach((_id, rec) => {
    if (rec.disposition === "extra") extra++;
  });
  return { lines, total, extra };
}

export type CloseOutcome = "accepted" | "partial" | "rejected";

/** The outcome in the words the dock and the Party read. */
export function outcomeWords(outcome: CloseOutcome | null): string {
  return outcome === "accepted"
    ? "accepted whole"
    : outcome === "partial"
      ? "accepted in part"
      : outcome === "rejected"
        ? "rejected"
        : "no outcome";
}

/** Why this close cannot be recorded, in words with what to change; null when it can. */
export function closeProblem(
  figures: CloseFigures,
  input: { outcome: CloseOutcome | null; rejectedHubs: readonly unknown[]; rejectionReason: string | null },
): string | null {
  if (input.outcome === null) return "Choose an outcome: accepted whole, accepted in part, or rejected.";
  if (input.outcome === "partial" && input.rejectedHubs.length === 0 && figures.total.missing === 0)
    return "Accepted in part needs a shortfall or a rejected hub: every booked hub arrived and none is marked rejected. Choose accepted whole, or mark the hubs rejected.";
  if (input.outcome === "rejected" && (input.rejectionReason ?? "").trim() === "")
    return "Say why the delivery is rejected.";
  return null;
}

/** The next step once a receipt is closed, for the bookings list. */
export function afterCloseWords(
  booking: Pick<Booking, "bookingRef">,
  outcome: CloseOutcome,
  figures: CloseFigures,
  rejected: number,
): string {
  const counts = `${figures.total.received} of ${figures.total.booked} hubs received, ${figures.total.missing} missing, ${rejected} rejected`;
  const next =
    outcome === "rejected"
      ? "Nothing goes on a jig; keep the delivery aside for collection. The Party is told when this dock syncs."
      : "The accepted hubs can go on the jigs now (Jig station). The Party is told the outcome when this dock syncs.";
  return `Receipt of booking ${booking.bookingRef} closed: ${outcomeWords(outcome)} (${counts}). ${next}`;
}
