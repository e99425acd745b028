import type { DockSite, PackingLimits, Booking } from "./booking";
import type { ColumnCatalogue } from "./booking-columns";
import type { Catalogue } from "./booking-index";
import type { Cons, PMap } from "./persistent-map";
import type { Verdict, VerdictCode } from "./receipt-verdicts";
import type { ParsedScan } from "./scan";

/**
 * The receipt reconciler's actions and state. The state is opaque to callers (read it with
 * summarize, expecting, history, liveScans); the reducer and the summary share these shapes.
 */

export type ReceiptAction =
  | { type: "scan"; scanId: string; scan: ParsedScan; at: string }
  | { type: "undo"; scanId: string; reason: string; at?: string };

export interface ReceiptInit {
  booking: Booking;
  /**
   * The other bookings this dock knows (may include `booking` itself; it is skipped by ref): as
   * Booking objects, or already in columns (booking-columns.ts: what a dock with 300,000 cached
   * hubs passes, so no object per hub is made).
   */
  otherBookings: readonly Booking[] | ColumnCatalogue;
  site: DockSite;
  limits: PackingLimits;
}

/** Where a hub scan lands in the counts: received, here but held for a decision, or extra. */
export type Disposition = "received" | "held" | "extra";

export interface HubRecord {
  scanId: string;
  at: string;
  code: VerdictCode;
  /** The carton label (SSCC or supplier's carton number) it was scanned under: its container on arrival; null when none was open. */
  carton: string | null;
  /** The pallet open when it was scanned. */
  pallet: string | null;
  disposition: Disposition;
}
export interface LabelRecord {
  scanId: string;
  at: string;
  code: VerdictCode;
  /** For a carton: the pallet open when it was first scanned. */
  pallet: string | null;
  /** This booking's pallet/carton (a resumable context), or a foreign one. */
  ours: boolean;
  /** For a carton: a label the booking does not list (a supplier's carton), taken as the container of the hubs scanned under it. */
  unlisted?: boolean;
}
export interface Context {
  pallet: string | null;
  carton: string | null;
}
/** A live scan; it is also its own history entry (one object kept a scan, not two). */
export interface LiveScan {
  type: "scan";
  scanId: string;
  at: string;
  scan: ParsedScan;
  verdict: Verdict;
  /** First scan of a subject whose verdict needs a decision: listed once in exceptions. */
  exception: boolean;
  /** What undo needs to revert it exactly: the context before it, and the key it added. */
  prevContext: Context;
  added: "hub" | "carton" | "pallet" | null;
}
/** Everything the live scans determine. */
export interface Core {
  /** Live scans, newest first. */
  live: Cons<LiveScan> | null;
  liveCount: number;
  hubs: PMap<HubRecord>;
  cartons: PMap<LabelRecord>;
  pallets: PMap<LabelRecord>;
  context: Context;
}

export type HistoryEntry =
  | { type: "scan"; scanId: string; at: string; scan: ParsedScan; verdict: Verdict }
  | { type: "undo"; scanId: string; at: string | null; reason: string; verdict: Verdict };

/** A receipt in progress. Opaque: read it with summarize, expecting, history. */
export interface ReceiptState {
  readonly index: ReceiptIndex;
  readonly core: Core;
  /** Every accepted scan and undo, newest first. */
  readonly history: Cons<HistoryEntry> | null;
  /** Every scan ID ever accepted, undone ones included (an event is never applied twice). */
  readonly scanIds: PMap<true>;
  /** Undo events so far. */
  readonly undos: number;
}

export interface ReduceResult {
  state: ReceiptState;
  verdict: Verdict;
}

export interface ReceiptIndex {
  booking: Booking;
  site: DockSite;
  limits: PackingLimits;
  own: Catalogue;
  others: ColumnCatalogue;
}
