import { packingBreaches, palletHubs, type BookedCarton, type LimitBreach } from "./booking";
import type { ParsedScan } from "./scan";
import type { HistoryEntry, ReceiptState } from "./receipt-state";
import { VERDICT_CODES, type Ineligibility, type Verdict, type VerdictCode } from "./receipt-verdicts";

/** What a receipt state says: counts against the booking, missing lists, over-limits, exceptions, history. */

export interface ReceiptException {
  scanId: string;
  at: string;
  code: VerdictCode;
  /** Hub ID or SSCC. */
  subject: string;
  reason: string;
  /** The verdict's facts: the other booking, why a hub is ineligible. */
  otherBookingRef: string | null;
  ineligible: Ineligibility | null;
}

export interface OverLimit extends LimitBreach {
  /** "booked": the booking lists too many; "received": more were scanned into it than the limit. */
  basis: "booked" | "received";
}

export interface ReceiptSummary {
  bookingRef: string;
  pallets: { booked: number; received: number };
  /** unlisted: carton labels the booking does not list, recorded as their hubs' containers. */
  cartons: { booked: number; received: number; unlisted: number };
  /** received: accepted; held: booked hubs here awaiting a decision; extra: not this booking's. */
  hubs: { booked: number; received: number; held: number; extra: number };
  /** In booking order. A held hub is here, so it is not missing. */
  missing: { pallets: string[]; cartons: string[]; hubs: string[] };
  overLimit: OverLimit[];
  /** Live scans per verdict code (undone scans are not counted). */
  verdictCounts: Record<VerdictCode, number>;
  /** First scans of subjects that need a person's decision, sorted by subject then code. */
  exceptions: ReceiptException[];
  liveScans: number;
  undos: number;
}

/** Pallets, cartons and hubs received vs booked, missing lists, over-limits and exceptions now. */
export function summarize(state: ReceiptState): ReceiptSummary {
  const { index: ix, core } = state;
  const b = ix.booking;
  const missing = { pallets: [] as string[], cartons: [] as string[], hubs: [] as string[] };
  let palletsReceived = 0;
  let hubsBooked = 0;
  for (const pallet of b.pallets) {
    if (core.pallets.get(pallet.sscc)?.ours) palletsReceived++;
    else missing.pallets.push(pallet.sscc);
    for (const hub of palletHubs(pallet)) {
      hubsBooked++;
      if (!core.hubs.has(hub.deviceId)) missing.hubs.push(hub.deviceId);
    }
  }
  let cartonsBooked = 0;
  let cartonsReceived = 0;
  // Booking order (bookingCartons), walked in place: this runs after every scan.
  const countCarton = (carton: BookedCarton) => {
    cartonsBooked++;
    const seen = core.cartons.get(carton.sscc);
    if (seen?.ours && !seen.unlisted) cartonsReceived++;
    else missing.cartons.push(carton.sscc);
    for (const hub of carton.hubs) {
      hubsBooked++;
      if (!core.hubs.has(hub.deviceId)) missing.hubs.push(hub.deviceId);
    }
  };
  for (const pallet of b.pallets) for (const carton of pallet.cartons) countCarton(carton);
  for (const carton of b.looseCartons) countCarton(carton);
  const hubs = { booked: hubsBooked, received: 0, held: 0, extra: 0 };
  const perCarton = new Map<string, number>();
  core.hubs.forEach((_id, rec) => {
    hubs[rec.disposition]++;
    if (rec.carton !== null) perCarton.set(rec.carton, (perCarton.get(rec.carton) ?? 0) + 1);
  });
  const perPallet = new Map<string, number>();
  let cartonsUnlisted = 0;
  core.cartons.forEach((_sscc, rec) => {
    if (rec.unlisted) cartonsUnlisted++;
    if (rec.pallet !== null) perPallet.set(rec.pallet, (perPallet.get(rec.pallet) ?? 0) + 1);
  });
  const overLimit: OverLimit[] = packingBreaches(b, ix.limits).map((x) => ({ ...x, basis: "booked" as const }));
  // Only the few over a limit are taken out of the counts and sorted, not every carton's entry.
  const over = (counts: Map<string, number>, limit: number, kind: OverLimit["kind"]) => {
    const found: OverLimit[] = [];
    counts.forEach((count, sscc) => {
      if (count > limit) found.push({ kind, sscc, count, limit, basis: "received" });
    });
    return found.sort(bySscc);
  };
  overLimit.push(
    ...over(perPallet, ix.limits.cartonsPerPallet, "pallet-over-limit"),
    ...over(perCarton, ix.limits.hubsPerCarton, "carton-over-limit"),
  );

  const verdictCounts = Object.fromEntries(VERDICT_CODES.map((c) => [c, 0])) as Record<VerdictCode, number>;
  const exceptions: ReceiptException[] = [];
  for (let c = core.live; c !== null; c = c.tail) {
    const v = c.head.verdict;
    verdictCounts[v.code]++;
    if (c.head.exception)
      exceptions.push({
        scanId: c.head.scanId,
        at: c.head.at,
        code: v.code,
        subject: v.subject ?? "",
        reason: v.reason,
        otherBookingRef: v.otherBookingRef,
        ineligible: v.ineligible,
      });
  }
  exceptions.sort((x, y) =>
    x.subject < y.subject ? -1 : x.subject > y.subject ? 1 : x.code < y.code ? -1 : x.code > y.code ? 1 : 0,
  );
  return {
    bookingRef: b.bookingRef,
    pallets: { booked: b.pallets.length, received: palletsReceived },
    cartons: { booked: cartonsBooked, received: cartonsReceived, unlisted: cartonsUnlisted },
    hubs,
    missing,
    overLimit,
    verdictCounts,
    exceptions,
    liveScans: core.liveCount,
    undos: state.undos,
  };
}

function bySscc(a: OverLimit, b: OverLimit): number {
  return a.sscc < b.sscc ? -1 : a.sscc > b.sscc ? 1 : 0;
}

/** Every accepted scan and undo, oldest first (undone scans stay, followed by their undo). */
export function history(state: ReceiptState): HistoryEntry[] {
  const out: HistoryEntry[] = [];
  for (let h = state.history; h !== null; h = h.tail) {
    const e = h.head;
    out.push(e.type === "scan" ? { type: "scan", scanId: e.scanId, at: e.at, scan: e.scan, verdict: e.verdict } : e);
  }
  return out.reverse();
}

/** The live scans (not undone), oldest first, with their verdicts. */
export function liveScans(
  state: ReceiptState,
): Array<{ scanId: string; at: string; scan: ParsedScan; verdict: Verdict }> {
  const out: Array<{ scanId: string; at: string; scan: ParsedScan; verdict: Verdict }> = [];
  for (let c = state.core.live; c !== null; c = c.tail)
    out.push({ scanId: c.head.scanId, at: c.head.at, scan: c.head.scan, verdict: c.head.verdict });
  return out.reverse();
}
