import { bookingCartons, packingBreaches, palletHubs, type LimitBreach } from "./booking";
import type { ParsedScan } from "./scan";
import { hashString } from "./persistent-map";
import type { HistoryEntry, ReceiptIndex, ReceiptState } from "./receipt-state";
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

/** How many are missing, and the first few of them. */
export interface MissingHead {
  count: number;
  first: string[];
}

/** Missing items the receipt screen lists by name; the rest it counts. */
export const MISSING_SHOWN = 8;

export interface ReceiptSummary {
  bookingRef: string;
  pallets: { booked: number; received: number };
  /** unlisted: carton labels the booking does not list, recorded as their hubs' containers. */
  cartons: { booked: number; received: number; unlisted: number };
  /** received: accepted; held: booked hubs here awaiting a decision; extra: not this booking's. */
  hubs: { booked: number; received: number; held: number; extra: number };
  /** In booking order. A held hub is here, so it is not missing. Worked out when first read. */
  readonly missing: { pallets: string[]; cartons: string[]; hubs: string[] };
  /** How many of each are missing, and the first MISSING_SHOWN in booking order (the receipt screen's list). */
  missingShown: { pallets: MissingHead; cartons: MissingHead; hubs: MissingHead };
  overLimit: OverLimit[];
  /** Live scans per verdict code (undone scans are not counted). Worked out when first read. */
  readonly verdictCounts: Record<VerdictCode, number>;
  /** First scans of subjects that need a person's decision, sorted by subject then code. */
  exceptions: ReceiptException[];
  liveScans: number;
  undos: number;
}

type Unit = "pallets" | "cartons" | "hubs";

/**
 * The booking's pallets, cartons and hubs in booking order (pallets with their own hubs, then
 * cartons with theirs, as bookingCartons lists them), laid out once per receipt index as flat
 * arrays with each ID's hash, beside what never changes while the booking is received (booked
 * counts, over-limits as booked). The summary walks it after every scan: a loop over arrays
 * with no closure, iterator or hashing makes next to no garbage; a walk of the booking's
 * objects made ~40 KiB a scan in Chromium, a third of the scan path's (issue 22).
 */
interface BookingOrder {
  readonly ids: readonly string[];
  /** ids[i]'s unit. */
  readonly units: readonly Unit[];
  /** hashString(ids[i]), so a lookup in the receipt's maps hashes nothing. */
  readonly hashes: Int32Array;
  readonly booked: Readonly<Record<Unit, number>>;
  readonly breaches: readonly LimitBreach[];
}

const orders = new WeakMap<ReceiptIndex, BookingOrder>();

function bookingOrder(ix: ReceiptIndex): BookingOrder {
  const known = orders.get(ix);
  if (known !== undefined) return known;
  const b = ix.booking;
  const ids: string[] = [];
  const units: Unit[] = [];
  const booked = { pallets: 0, cartons: 0, hubs: 0 };
  const add = (unit: Unit, id: string) => {
    ids.push(id);
    units.push(unit);
    booked[unit]++;
  };
  for (const pallet of b.pallets) {
    add("pallets", pallet.sscc);
    for (const hub of palletHubs(pallet)) add("hubs", hub.deviceId);
  }
  for (const { carton } of bookingCartons(b)) {
    add("cartons", carton.sscc);
    for (const hub of carton.hubs) add("hubs", hub.deviceId);
  }
  const order: BookingOrder = {
    ids,
    units,
    hashes: Int32Array.from(ids, hashString),
    booked,
    breaches: packingBreaches(b, ix.limits),
  };
  orders.set(ix, order);
  return order;
}

/** Whether the i-th of the booking order is here: a pallet or listed carton received as ours, a hub with any record (a held hub is here). */
function isHere(core: ReceiptState["core"], order: BookingOrder, i: number): boolean {
  const id = order.ids[i] ?? "";
  const hash = order.hashes[i] ?? 0;
  const unit = order.units[i];
  if (unit === "hubs") return core.hubs.getHashed(hash, id) !== undefined;
  if (unit === "pallets") return core.pallets.getHashed(hash, id)?.ours === true;
  const seen = core.cartons.getHashed(hash, id);
  return seen !== undefined && seen.ours && !seen.unlisted;
}

/** Everything of the booking not here yet, in booking order. */
export function missingLists(state: ReceiptState): Record<Unit, string[]> {
  const out: Record<Unit, string[]> = { pallets: [], cartons: [], hubs: [] };
  const order = bookingOrder(state.index);
  for (let i = 0; i < order.ids.length; i++)
    if (!isHere(state.core, order, i)) out[order.units[i] ?? "hubs"].push(order.ids[i] ?? "");
  return out;
}

/** Pallets, cartons and hubs received vs booked, missing lists, over-limits and exceptions now. */
export function summarize(state: ReceiptState): ReceiptSummary {
  const { index: ix, core } = state;
  const b = ix.booking;
  // After every scan: counts and the first few missing, not three lists of up to 1,792 IDs
  // (the renderer's largest garbage a scan, issue 22); the whole lists when somebody reads them.
  const order = bookingOrder(ix);
  const booked = order.booked;
  // Each count starts at all booked and goes down by what is here.
  const missingShown: Record<Unit, MissingHead> = {
    pallets: { count: booked.pallets, first: [] },
    cartons: { count: booked.cartons, first: [] },
    hubs: { count: booked.hubs, first: [] },
  };
  for (let i = 0; i < order.ids.length; i++) {
    const m = missingShown[order.units[i] ?? "hubs"];
    if (isHere(core, order, i)) m.count--;
    else if (m.first.length < MISSING_SHOWN) m.first.push(order.ids[i] ?? "");
  }
  const here = {
    pallets: booked.pallets - missingShown.pallets.count,
    cartons: booked.cartons - missingShown.cartons.count,
  };
  let lists: Record<Unit, string[]> | null = null;
  const hubs = { booked: booked.hubs, received: 0, held: 0, extra: 0 };
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
  const overLimit: OverLimit[] = order.breaches.map((x) => ({ ...x, basis: "booked" as const }));
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

  let verdictCounts: Record<VerdictCode, number> | null = null;
  const exceptions: ReceiptException[] = [];
  for (let c = core.live; c !== null; c = c.tail) {
    const v = c.head.verdict;
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
    pallets: { booked: booked.pallets, received: here.pallets },
    cartons: { booked: booked.cartons, received: here.cartons, unlisted: cartonsUnlisted },
    hubs,
    get missing() {
      lists ??= missingLists(state);
      return lists;
    },
    missingShown,
    overLimit,
    get verdictCounts() {
      verdictCounts ??= countVerdicts(core.live);
      return verdictCounts;
    },
    exceptions,
    liveScans: core.liveCount,
    undos: state.undos,
  };
}

/** Live scans per verdict code: a record of every code, built when somebody reads it (~3 KiB, not after every scan). */
function countVerdicts(live: ReceiptState["core"]["live"]): Record<VerdictCode, number> {
  const counts = Object.fromEntries(VERDICT_CODES.map((c) => [c, 0])) as Record<VerdictCode, number>;
  for (let c = live; c !== null; c = c.tail) counts[c.head.verdict.code]++;
  return counts;
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
