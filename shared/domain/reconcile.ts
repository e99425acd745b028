/**
 * Receipt reconciliation (MP155 Req 5): a pure reducer, receipt state + action → verdict + new state.
 *
 * Why the state is built the way it is:
 * - Everything that depends only on the bookings (hub ID → carton, GPF ID → hub, SSCC → pallet)
 *   is an immutable index built once per booking and once per list of other bookings
 *   (memoised by object identity), and shared by every state of every receipt.
 * - What the scans change (hubs, cartons and pallets seen) lives in small persistent hash tries
 *   (path copying, O(log32 n) a scan), so a reduce never copies what came before and an old state
 *   stays valid and unchanged. React may call a reducer twice with the same state (StrictMode);
 *   a persistent state makes that safe, where a shared mutable accumulator would need care.
 *   No library for persistent maps is installed (Immutable.js would fit), hence the small trie below.
 * - Undo reverts the last live scan by its inverse (delete the one key it added, restore the
 *   context it replaced): exact, O(log n), and the history (a persistent list) keeps both the
 *   scan and the undo with its reason. Keeping a pointer to every earlier state instead would
 *   also be exact, but would keep every old version of the tries alive (GC-heavy on replays).
 * - The summary is derived on demand (O(booked + scanned)); the reducer stays O(1)-ish a scan.
 */
import {
  bookingCartons,
  cspForRegion,
  packingBreaches,
  type BookedHub,
  type Booking,
  type DockSite,
  type LimitBreach,
  type PackingLimits,
} from "./booking";
import { testLabRange } from "./device-id";
import type { ParsedScan } from "./scan";
import { describeLabelReference, labelReferenceOf } from "./scan-parser";

// ---------------------------------------------------------------------------------------------
// Verdicts
// ---------------------------------------------------------------------------------------------

export type VerdictClass = "ok" | "warn" | "error";

/** Every verdict code with its class (colour and sound) and whether it needs a person's decision. */
export const VERDICTS = {
  "booking-label-expected": { class: "ok", decision: false },
  "booking-label-mismatch": { class: "error", decision: false },
  "booking-label-other": { class: "error", decision: false },
  "booking-label-unknown": { class: "error", decision: false },
  "pallet-expected": { class: "ok", decision: false },
  "pallet-resumed": { class: "ok", decision: false },
  "pallet-other-booking": { class: "error", decision: true },
  "pallet-unexpected": { class: "error", decision: true },
  "carton-expected": { class: "ok", decision: false },
  "carton-resumed": { class: "ok", decision: false },
  "carton-count-mismatch": { class: "warn", decision: false },
  "carton-other-pallet": { class: "warn", decision: false },
  "carton-other-booking": { class: "error", decision: true },
  "carton-unexpected": { class: "error", decision: true },
  "hub-expected": { class: "ok", decision: false },
  "hub-duplicate": { class: "warn", decision: false },
  "hub-wrong-container": { class: "warn", decision: true },
  "hub-not-eligible": { class: "error", decision: true },
  "hub-other-booking": { class: "error", decision: true },
  "hub-unexpected": { class: "error", decision: true },
  "hub-wrong-device-type": { class: "error", decision: false },
  "hub-test-lab": { class: "error", decision: true },
  unreadable: { class: "error", decision: false },
  "wrong-kind": { class: "error", decision: false },
  "scan-id-reused": { class: "error", decision: false },
  undone: { class: "ok", decision: false },
  "undo-refused": { class: "error", decision: false },
} as const satisfies Record<string, { class: VerdictClass; decision: boolean }>;

export type VerdictCode = keyof typeof VERDICTS;
export const VERDICT_CODES = Object.keys(VERDICTS) as VerdictCode[];

/** What the operator is told after one action. */
export interface Verdict {
  code: VerdictCode;
  class: VerdictClass;
  /** The reason in words, for the screen. */
  reason: string;
  /** The scan this verdict is about (for an undo: the scan undone). */
  scanId: string;
  /** The hub ID or SSCC the scan named, when it named one. */
  subject: string | null;
  /** For a pallet, carton or hub of another booking: that booking (a fact, never read back from `reason`). */
  otherBookingRef: string | null;
  /** For `hub-not-eligible`: why the booked hub cannot be accepted here. */
  ineligible: Ineligibility | null;
}

/** Why a booked hub cannot be accepted at this site. */
export type Ineligibility = "not-pending" | "other-party" | "wrong-csp" | "wrong-facility";

interface VerdictFacts {
  otherBookingRef?: string;
  ineligible?: Ineligibility;
}

// ---------------------------------------------------------------------------------------------
// Actions, state
// ---------------------------------------------------------------------------------------------

export type ReceiptAction =
  | { type: "scan"; scanId: string; scan: ParsedScan; at: string }
  | { type: "undo"; scanId: string; reason: string; at?: string };

export interface ReceiptInit {
  booking: Booking;
  /** The other bookings this dock knows (may include `booking` itself; it is skipped by ref). */
  otherBookings: readonly Booking[];
  site: DockSite;
  limits: PackingLimits;
}

/** Where a hub scan lands in the counts: received, here but held for a decision, or extra. */
export type Disposition = "received" | "held" | "extra";

interface HubRecord {
  scanId: string;
  at: string;
  code: VerdictCode;
  carton: string;
  disposition: Disposition;
}
interface LabelRecord {
  scanId: string;
  at: string;
  code: VerdictCode;
  /** For a carton: the pallet open when it was first scanned. */
  pallet: string | null;
  /** This booking's pallet/carton (a resumable context), or a foreign one. */
  ours: boolean;
}
interface Context {
  pallet: string | null;
  carton: string | null;
}
/** A live scan; it is also its own history entry (one object kept a scan, not two). */
interface LiveScan {
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
interface Core {
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

// ---------------------------------------------------------------------------------------------
// Indexes (immutable, built once, shared)
// ---------------------------------------------------------------------------------------------

interface HubPlace {
  hub: BookedHub;
  bookingRef: string;
  carton: string;
  pallet: string | null;
}
interface CartonPlace {
  bookingRef: string;
  sscc: string;
  pallet: string | null;
  hubs: readonly BookedHub[];
}
/*
 * Hub and GPF IDs map to a number (carton position × 65,536 + hub position) rather than to an
 * object per hub: a year of bookings is 300,000 hubs, and 600,000 small objects cost more to
 * build and to garbage-collect than the lookups they would save.
 */
const HUB_SLOTS = 65_536;
interface Catalogue {
  cartonList: CartonPlace[];
  hubs: Map<string, number>;
  /** GPF ID → the hub it is paired with. */
  gpfs: Map<string, number>;
  cartons: Map<string, CartonPlace>;
  pallets: Map<string, { bookingRef: string; cartons: number }>;
  bookings: Map<string, { deliveryRef: string }>;
}
interface ReceiptIndex {
  booking: Booking;
  site: DockSite;
  limits: PackingLimits;
  own: Catalogue;
  others: Catalogue;
}

const catalogueOfBooking = new WeakMap<Booking, Catalogue>();
const catalogueOfList = new WeakMap<readonly Booking[], Catalogue>();

function buildCatalogue(bookings: readonly Booking[]): Catalogue {
  const cat: Catalogue = { cartonList: [], hubs: new Map(), gpfs: new Map(), cartons: new Map(), pallets: new Map(), bookings: new Map() };
  for (const booking of bookings) {
    const bookingRef = booking.bookingRef;
    if (!cat.bookings.has(bookingRef)) cat.bookings.set(bookingRef, { deliveryRef: booking.deliveryRef });
    for (const pallet of booking.pallets) {
      if (!cat.pallets.has(pallet.sscc)) cat.pallets.set(pallet.sscc, { bookingRef, cartons: pallet.cartons.length });
    }
    for (const { carton, palletSscc } of bookingCartons(booking)) {
      const place: CartonPlace = { bookingRef, sscc: carton.sscc, pallet: palletSscc, hubs: carton.hubs };
      cat.cartonList.push(place);
      if (!cat.cartons.has(carton.sscc)) cat.cartons.set(carton.sscc, place);
    }
  }
  // Backwards, so that where a hub is listed twice (a data error central refuses) the first
  // listing wins without a has() before every set().
  for (let c = cat.cartonList.length - 1; c >= 0; c--) {
    const hubs = cat.cartonList[c]?.hubs ?? [];
    for (let h = Math.min(hubs.length, HUB_SLOTS) - 1; h >= 0; h--) {
      const hub = hubs[h];
      if (!hub) continue;
      cat.hubs.set(hub.deviceId, c * HUB_SLOTS + h);
      cat.gpfs.set(hub.gpfDeviceId, c * HUB_SLOTS + h);
    }
  }
  return cat;
}

function findHub(cat: Catalogue, map: Map<string, number>, id: string): HubPlace | undefined {
  const at = map.get(id);
  if (at === undefined) return undefined;
  const carton = cat.cartonList[Math.floor(at / HUB_SLOTS)];
  const hub = carton?.hubs[at % HUB_SLOTS];
  return carton && hub ? { hub, bookingRef: carton.bookingRef, carton: carton.sscc, pallet: carton.pallet } : undefined;
}

function ownCatalogue(booking: Booking): Catalogue {
  let cat = catalogueOfBooking.get(booking);
  if (!cat) catalogueOfBooking.set(booking, (cat = buildCatalogue([booking])));
  return cat;
}
function listCatalogue(bookings: readonly Booking[]): Catalogue {
  let cat = catalogueOfList.get(bookings);
  if (!cat) catalogueOfList.set(bookings, (cat = buildCatalogue(bookings)));
  return cat;
}

/** Start a receipt for `booking`; indexes are built once per booking / per list and shared. */
export function createReceipt(init: ReceiptInit): ReceiptState {
  const index: ReceiptIndex = {
    booking: init.booking,
    site: init.site,
    limits: init.limits,
    own: ownCatalogue(init.booking),
    others: listCatalogue(init.otherBookings),
  };
  const core: Core = { live: null, liveCount: 0, hubs: PMap.empty(), cartons: PMap.empty(), pallets: PMap.empty(), context: { pallet: null, carton: null } };
  return Object.freeze({ index, core, history: null, scanIds: PMap.empty<true>(), undos: 0 });
}

// ---------------------------------------------------------------------------------------------
// The reducer
// ---------------------------------------------------------------------------------------------

/** Apply one scan or undo; the given state is never changed. Refused actions return it as is. */
export function reduce(state: ReceiptState, action: ReceiptAction): ReduceResult {
  return action.type === "scan" ? reduceScan(state, action) : reduceUndo(state, action);
}

/** Rebuild a receipt from its event log (scans and undos in log order). */
export function replay(init: ReceiptInit, actions: Iterable<ReceiptAction>): ReceiptState {
  let state = createReceipt(init);
  for (const action of actions) state = reduce(state, action).state;
  return state;
}

function verdict(code: VerdictCode, reason: string, scanId: string, subject: string | null, facts: VerdictFacts = {}): Verdict {
  return { code, class: VERDICTS[code].class, reason, scanId, subject, otherBookingRef: facts.otherBookingRef ?? null, ineligible: facts.ineligible ?? null };
}

function refuse(state: ReceiptState, v: Verdict): ReduceResult {
  return { state, verdict: v };
}

function reduceUndo(state: ReceiptState, action: { scanId: string; reason: string; at?: string }): ReduceResult {
  const core = state.core;
  const last = core.live?.head;
  const reason = action.reason.trim();
  if (!last) return refuse(state, verdict("undo-refused", "There is no scan to undo.", action.scanId, null));
  if (last.scanId !== action.scanId)
    return refuse(state, verdict("undo-refused", `Only the last scan can be undone; the last is ${describeScan(last.scan)} (${last.scanId}).`, action.scanId, null));
  if (reason === "") return refuse(state, verdict("undo-refused", "An undo needs a reason.", action.scanId, last.verdict.subject));
  // A scan adds at most one key (its subject, first time seen); removing it restores the maps exactly.
  const subject = last.verdict.subject ?? "";
  const reverted: Core = {
    live: core.live?.tail ?? null,
    liveCount: core.liveCount - 1,
    hubs: last.added === "hub" ? core.hubs.delete(subject) : core.hubs,
    cartons: last.added === "carton" ? core.cartons.delete(subject) : core.cartons,
    pallets: last.added === "pallet" ? core.pallets.delete(subject) : core.pallets,
    context: last.prevContext,
  };
  const v = verdict("undone", `Undid ${describeScan(last.scan)} (${last.verdict.code}): ${reason}.`, last.scanId, last.verdict.subject);
  const entry: HistoryEntry = { type: "undo", scanId: action.scanId, at: action.at ?? null, reason, verdict: v };
  return { state: Object.freeze({ ...state, core: reverted, history: { head: entry, tail: state.history }, undos: state.undos + 1 }), verdict: v };
}

interface Outcome {
  verdict: Verdict;
  exception: boolean;
  hubs?: PMap<HubRecord>;
  cartons?: PMap<LabelRecord>;
  pallets?: PMap<LabelRecord>;
  context?: Context;
}

function reduceScan(state: ReceiptState, action: { scanId: string; scan: ParsedScan; at: string }): ReduceResult {
  const { scanId, scan, at } = action;
  const scanIds = state.scanIds.set(scanId, true);
  if (scanIds.size === state.scanIds.size)
    return refuse(state, verdict("scan-id-reused", `Scan ${scanId} was already recorded; it is not applied twice.`, scanId, null));
  const core = state.core;
  const out = judge(state.index, core, scanId, scan, at);
  const added = out.hubs ? "hub" : out.cartons ? "carton" : out.pallets ? "pallet" : null;
  const live: LiveScan = { type: "scan", scanId, at, scan, verdict: out.verdict, exception: out.exception, prevContext: core.context, added };
  const next: Core = {
    live: { head: live, tail: core.live },
    liveCount: core.liveCount + 1,
    hubs: out.hubs ?? core.hubs,
    cartons: out.cartons ?? core.cartons,
    pallets: out.pallets ?? core.pallets,
    context: out.context ?? core.context,
  };
  return {
    state: Object.freeze({ index: state.index, core: next, history: { head: live, tail: state.history }, scanIds, undos: state.undos }),
    verdict: out.verdict,
  };
}

function judge(ix: ReceiptIndex, core: Core, scanId: string, scan: ParsedScan, at: string): Outcome {
  switch (scan.kind) {
    case "unreadable": {
      // The upper (booking-reference) symbol of a two-symbol label: read fine, but it names no
      // pallet or carton. Refused by name, and it changes nothing (no context, no record).
      const ref = labelReferenceOf(scan);
      if (ref !== null) {
        const other = otherRef(ix, ref.bookingRef);
        const note = other ? `; that label is for booking ${other}, this receipt is for ${ix.booking.bookingRef}` : "";
        return { verdict: verdict("wrong-kind", `This is the booking-reference barcode of a label (${describeLabelReference(ref)})${note}. Scan the SSCC barcode (the bottom one).`, scanId, null), exception: false };
      }
      return { verdict: verdict("unreadable", scan.reason, scanId, null), exception: false };
    }
    case "booking-label":
      return judgeBookingLabel(ix, core, scanId, scan);
    case "pallet":
      return judgePallet(ix, core, scanId, scan, at);
    case "carton":
      return judgeCarton(ix, core, scanId, scan, at);
    case "hub":
      return judgeHub(ix, core, scanId, scan.deviceId, at);
  }
}

function judgeBookingLabel(ix: ReceiptIndex, core: Core, scanId: string, scan: Extract<ParsedScan, { kind: "booking-label" }>): Outcome {
  const b = ix.booking;
  const subject = scan.bookingRef;
  if (core.context.pallet !== null || core.context.carton !== null)
    return { verdict: verdict("wrong-kind", `This is a booking label; ${uncapital(prompt(ix, core))}`, scanId, subject), exception: false };
  if (scan.bookingRef === b.bookingRef) {
    if (scan.deliveryRef !== b.deliveryRef)
      return { verdict: verdict("booking-label-mismatch", `The label says delivery ${scan.deliveryRef}; booking ${b.bookingRef} is delivery ${b.deliveryRef}.`, scanId, subject), exception: false };
    return { verdict: verdict("booking-label-expected", `Booking ${b.bookingRef}, delivery ${b.deliveryRef} (${b.partyName}).`, scanId, subject), exception: false };
  }
  if (ix.others.bookings.has(scan.bookingRef))
    return { verdict: verdict("booking-label-other", `This is the label of booking ${scan.bookingRef}; this receipt is for booking ${b.bookingRef}.`, scanId, subject), exception: false };
  return { verdict: verdict("booking-label-unknown", `Booking ${scan.bookingRef} is not known at this dock; this receipt is for booking ${b.bookingRef}.`, scanId, subject), exception: false };
}

function judgePallet(ix: ReceiptIndex, core: Core, scanId: string, scan: Extract<ParsedScan, { kind: "pallet" }>, at: string): Outcome {
  const sscc = scan.sscc;
  const context: Context = { pallet: sscc, carton: null };
  const seen = core.pallets.get(sscc);
  if (seen) {
    if (seen.ours) return { verdict: verdict("pallet-resumed", `Back on pallet ${sscc}; scan a carton label.`, scanId, sscc), exception: false, context };
    return { verdict: verdict(seen.code, `Pallet ${sscc} again (first scanned ${clock(seen.at)}): it is not on booking ${ix.booking.bookingRef}.`, scanId, sscc), exception: false, context };
  }
  const record = (code: VerdictCode, ours: boolean): PMap<LabelRecord> => core.pallets.set(sscc, { scanId, at, code, pallet: null, ours });
  const own = ix.own.pallets.get(sscc);
  if (own) {
    return { verdict: verdict("pallet-expected", `Pallet ${sscc}: ${own.cartons} cartons booked; scan a carton label.`, scanId, sscc), exception: false, pallets: record("pallet-expected", true), context };
  }
  const other = otherRef(ix, ix.others.pallets.get(sscc)?.bookingRef) ?? otherRef(ix, scan.bookingRef);
  if (other)
    return { verdict: verdict("pallet-other-booking", `Pallet ${sscc} belongs to booking ${other}, not ${ix.booking.bookingRef}; set it aside.`, scanId, sscc, { otherBookingRef: other }), exception: true, pallets: record("pallet-other-booking", false), context };
  return { verdict: verdict("pallet-unexpected", `Pallet ${sscc} is not on any booking known here; set it aside.`, scanId, sscc), exception: true, pallets: record("pallet-unexpected", false), context };
}

function judgeCarton(ix: ReceiptIndex, core: Core, scanId: string, scan: Extract<ParsedScan, { kind: "carton" }>, at: string): Outcome {
  const sscc = scan.sscc;
  const seen = core.cartons.get(sscc);
  if (seen) {
    const context: Context = { pallet: seen.pallet, carton: sscc };
    if (seen.ours) return { verdict: verdict("carton-resumed", `Back on carton ${sscc}; ${hubsLeftWords(ix, core, sscc)}.`, scanId, sscc), exception: false, context };
    return { verdict: verdict(seen.code, `Carton ${sscc} again (first scanned ${clock(seen.at)}): it is not on booking ${ix.booking.bookingRef}.`, scanId, sscc), exception: false, context };
  }
  const open = core.context.pallet;
  const own = ix.own.cartons.get(sscc);
  if (own) {
    if (own.pallet !== null && open === null)
      return { verdict: verdict("wrong-kind", `This is a carton label of pallet ${own.pallet}; scan that pallet's label first.`, scanId, sscc), exception: false };
    // A loose carton has no pallet; a palletised one is judged against the pallet open now.
    const pallet = own.pallet === null ? null : open;
    const context: Context = { pallet, carton: sscc };
    const record = (code: VerdictCode): PMap<LabelRecord> => core.cartons.set(sscc, { scanId, at, code, pallet, ours: true });
    if (own.pallet !== null && open !== own.pallet)
      return { verdict: verdict("carton-other-pallet", `Carton ${sscc} is listed on pallet ${own.pallet}, not on pallet ${open}; its hubs still count.`, scanId, sscc), exception: false, cartons: record("carton-other-pallet"), context };
    if (scan.hubCount !== null && scan.hubCount !== own.hubs.length)
      return { verdict: verdict("carton-count-mismatch", `Carton ${sscc}: the label says ${scan.hubCount} hubs, the booking lists ${own.hubs.length}; scan its hubs.`, scanId, sscc), exception: false, cartons: record("carton-count-mismatch"), context };
    const where = own.pallet === null ? "loose carton" : "carton";
    return { verdict: verdict("carton-expected", `${capital(where)} ${sscc}: ${own.hubs.length} hubs booked; scan a hub.`, scanId, sscc), exception: false, cartons: record("carton-expected"), context };
  }
  const context: Context = { pallet: open, carton: sscc };
  const record = (code: VerdictCode): PMap<LabelRecord> => core.cartons.set(sscc, { scanId, at, code, pallet: open, ours: false });
  const other = otherRef(ix, ix.others.cartons.get(sscc)?.bookingRef) ?? otherRef(ix, scan.bookingRef);
  if (other)
    return { verdict: verdict("carton-other-booking", `Carton ${sscc} belongs to booking ${other}, not ${ix.booking.bookingRef}; set it aside.`, scanId, sscc, { otherBookingRef: other }), exception: true, cartons: record("carton-other-booking"), context };
  return { verdict: verdict("carton-unexpected", `Carton ${sscc} is not on any booking known here; set it aside.`, scanId, sscc), exception: true, cartons: record("carton-unexpected"), context };
}

function judgeHub(ix: ReceiptIndex, core: Core, scanId: string, id: string, at: string): Outcome {
  const carton = core.context.carton;
  if (carton === null) {
    const where = core.context.pallet === null ? "a pallet label or a loose carton's label, then a carton label" : `a carton label of pallet ${core.context.pallet}`;
    return { verdict: verdict("wrong-kind", `This is a hub ID; scan ${where} before hubs.`, scanId, id), exception: false };
  }
  const seen = core.hubs.get(id);
  if (seen)
    return { verdict: verdict("hub-duplicate", `Hub ${id} was already scanned ${clock(seen.at)} in carton ${seen.carton} (${seen.code}); not counted again.`, scanId, id), exception: false };

  const own = findHub(ix.own, ix.own.hubs, id);
  const lab = ix.site.production ? testLabRange(id) : null;
  if (lab !== null) return recordHub(core, scanId, id, at, carton, "hub-test-lab", own ? "held" : "extra", `Hub ${id} is in the ${lab}; a production site does not accept it. Set it aside.`);
  if (own) {
    const problem = ineligibility(ix, own.hub);
    if (problem !== null) return recordHub(core, scanId, id, at, carton, "hub-not-eligible", "held", `Hub ${id} is not eligible: ${problem.words}. Set it aside.`, { ineligible: problem.code });
    if (own.carton !== carton)
      return recordHub(core, scanId, id, at, carton, "hub-wrong-container", "held", `Hub ${id} is listed in carton ${own.carton}${own.pallet ? ` on pallet ${own.pallet}` : ""}, not in carton ${carton}; held for a decision.`);
    return recordHub(core, scanId, id, at, carton, "hub-expected", "received", `Hub ${id} received.`);
  }
  const other = findHub(ix.others, ix.others.hubs, id);
  if (other && other.bookingRef !== ix.booking.bookingRef)
    return recordHub(core, scanId, id, at, carton, "hub-other-booking", "extra", `Hub ${id} belongs to booking ${other.bookingRef} (carton ${other.carton}), not ${ix.booking.bookingRef}; set it aside.`, { otherBookingRef: other.bookingRef });
  const gpf = findHub(ix.own, ix.own.gpfs, id) ?? findHub(ix.others, ix.others.gpfs, id);
  if (gpf) {
    const of = gpf.bookingRef === ix.booking.bookingRef ? "" : ` on booking ${gpf.bookingRef}`;
    return { verdict: verdict("hub-wrong-device-type", `This is the Gas Proxy Function ID of hub ${gpf.hub.deviceId}${of}; scan the hub's own (CHF) ID.`, scanId, id), exception: false };
  }
  return recordHub(core, scanId, id, at, carton, "hub-unexpected", "extra", `Hub ${id} is not on any booking known here; held for a decision, not added.`);
}

// A plain function, not a closure in judgeHub: this is the hot path of a replay.
function recordHub(core: Core, scanId: string, id: string, at: string, carton: string, code: VerdictCode, disposition: Disposition, reason: string, facts?: VerdictFacts): Outcome {
  return { verdict: verdict(code, reason, scanId, id, facts), exception: VERDICTS[code].decision, hubs: core.hubs.set(id, { scanId, at, code, carton, disposition }) };
}

/** Why a booked hub cannot be accepted at this site (as a fact and in words), or null. */
function ineligibility(ix: ReceiptIndex, hub: BookedHub): { code: Ineligibility; words: string } | null {
  const b = ix.booking;
  if (hub.smiStatus !== "Pending") return { code: "not-pending", words: `its SMI status is ${hub.smiStatus}, not Pending` };
  if (hub.assignedParty !== b.partyId) return { code: "other-party", words: `it is assigned to ${hub.assignedParty}, not to ${b.partyId}` };
  const csp = cspForRegion(hub.cspRegion);
  if (csp !== ix.site.csp) return { code: "wrong-csp", words: `its CSP region ${hub.cspRegion} is served by CSP ${csp}, not by this site's CSP ${ix.site.csp}` };
  if (b.facilityId !== ix.site.facilityId) return { code: "wrong-facility", words: `booking ${b.bookingRef} is for facility ${b.facilityId}, not this facility ${ix.site.facilityId}` };
  return null;
}

function otherRef(ix: ReceiptIndex, ref: string | null | undefined): string | null {
  return ref && ref !== ix.booking.bookingRef ? ref : null;
}

function describeScan(scan: ParsedScan): string {
  switch (scan.kind) {
    case "hub":
      return `hub ${scan.deviceId}`;
    case "carton":
      return `carton ${scan.sscc}`;
    case "pallet":
      return `pallet ${scan.sscc}`;
    case "booking-label":
      return `booking label ${scan.bookingRef}`;
    case "unreadable":
      return labelReferenceOf(scan) !== null ? "the booking-reference barcode of a label" : "an unreadable scan";
  }
}

function clock(at: string): string {
  const m = /T(\d\d:\d\d:\d\d)/.exec(at);
  return m ? `at ${m[1]}` : `at ${at}`;
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function uncapital(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

// ---------------------------------------------------------------------------------------------
// What is expected next (guided scanning)
// ---------------------------------------------------------------------------------------------

export type NextScan =
  | { kind: "booking-or-pallet"; prompt: string }
  | { kind: "carton"; palletSscc: string; prompt: string }
  | { kind: "hub"; cartonSscc: string; palletSscc: string | null; remaining: number | null; prompt: string };

/** What the screen asks for next. */
export function expecting(state: ReceiptState): NextScan {
  const { pallet, carton } = state.core.context;
  const p = prompt(state.index, state.core);
  if (carton !== null) return { kind: "hub", cartonSscc: carton, palletSscc: pallet, remaining: hubsLeft(state.index, state.core, carton), prompt: p };
  if (pallet !== null) return { kind: "carton", palletSscc: pallet, prompt: p };
  return { kind: "booking-or-pallet", prompt: p };
}

function prompt(ix: ReceiptIndex, core: Core): string {
  const { pallet, carton } = core.context;
  if (carton !== null) return `Scan a hub of carton ${carton} (${hubsLeftWords(ix, core, carton)}), or another carton or pallet label.`;
  if (pallet !== null) return `Scan a carton label of pallet ${pallet}.`;
  return "Scan the booking label, a pallet label, or a loose carton's label.";
}

function hubsLeft(ix: ReceiptIndex, core: Core, carton: string): number | null {
  const listed = ix.own.cartons.get(carton);
  if (!listed) return null;
  let left = 0;
  for (const hub of listed.hubs) if (!core.hubs.has(hub.deviceId)) left++;
  return left;
}

function hubsLeftWords(ix: ReceiptIndex, core: Core, carton: string): string {
  const left = hubsLeft(ix, core, carton);
  return left === null ? "not on this booking" : `${left} of ${ix.own.cartons.get(carton)?.hubs.length ?? 0} left`;
}

// ---------------------------------------------------------------------------------------------
// Summary
// ---------------------------------------------------------------------------------------------

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
  cartons: { booked: number; received: number };
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
  for (const pallet of b.pallets) {
    if (core.pallets.get(pallet.sscc)?.ours) palletsReceived++;
    else missing.pallets.push(pallet.sscc);
  }
  let cartonsBooked = 0;
  let cartonsReceived = 0;
  let hubsBooked = 0;
  for (const { carton } of bookingCartons(b)) {
    cartonsBooked++;
    if (core.cartons.get(carton.sscc)?.ours) cartonsReceived++;
    else missing.cartons.push(carton.sscc);
    for (const hub of carton.hubs) {
      hubsBooked++;
      if (!core.hubs.has(hub.deviceId)) missing.hubs.push(hub.deviceId);
    }
  }
  const hubs = { booked: hubsBooked, received: 0, held: 0, extra: 0 };
  const perCarton = new Map<string, number>();
  core.hubs.forEach((_id, rec) => {
    hubs[rec.disposition]++;
    perCarton.set(rec.carton, (perCarton.get(rec.carton) ?? 0) + 1);
  });
  const perPallet = new Map<string, number>();
  core.cartons.forEach((_sscc, rec) => {
    if (rec.pallet !== null) perPallet.set(rec.pallet, (perPallet.get(rec.pallet) ?? 0) + 1);
  });
  const overLimit: OverLimit[] = packingBreaches(b, ix.limits).map((x) => ({ ...x, basis: "booked" as const }));
  for (const [sscc, count] of [...perPallet].sort(byKey))
    if (count > ix.limits.cartonsPerPallet) overLimit.push({ kind: "pallet-over-limit", sscc, count, limit: ix.limits.cartonsPerPallet, basis: "received" });
  for (const [sscc, count] of [...perCarton].sort(byKey))
    if (count > ix.limits.hubsPerCarton) overLimit.push({ kind: "carton-over-limit", sscc, count, limit: ix.limits.hubsPerCarton, basis: "received" });

  const verdictCounts = Object.fromEntries(VERDICT_CODES.map((c) => [c, 0])) as Record<VerdictCode, number>;
  const exceptions: ReceiptException[] = [];
  for (let c = core.live; c !== null; c = c.tail) {
    const v = c.head.verdict;
    verdictCounts[v.code]++;
    if (c.head.exception) exceptions.push({ scanId: c.head.scanId, at: c.head.at, code: v.code, subject: v.subject ?? "", reason: v.reason, otherBookingRef: v.otherBookingRef, ineligible: v.ineligible });
  }
  exceptions.sort((x, y) => (x.subject < y.subject ? -1 : x.subject > y.subject ? 1 : x.code < y.code ? -1 : x.code > y.code ? 1 : 0));
  return {
    bookingRef: b.bookingRef,
    pallets: { booked: b.pallets.length, received: palletsReceived },
    cartons: { booked: cartonsBooked, received: cartonsReceived },
    hubs,
    missing,
    overLimit,
    verdictCounts,
    exceptions,
    liveScans: core.liveCount,
    undos: state.undos,
  };
}

function byKey(a: [string, number], b: [string, number]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
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
export function liveScans(state: ReceiptState): Array<{ scanId: string; at: string; scan: ParsedScan; verdict: Verdict }> {
  const out: Array<{ scanId: string; at: string; scan: ParsedScan; verdict: Verdict }> = [];
  for (let c = state.core.live; c !== null; c = c.tail) out.push({ scanId: c.head.scanId, at: c.head.at, scan: c.head.scan, verdict: c.head.verdict });
  return out.reverse();
}

// ---------------------------------------------------------------------------------------------
// Persistent structures (hand-written: no persistent-collection library is installed)
// ---------------------------------------------------------------------------------------------

interface Cons<T> {
  readonly head: T;
  readonly tail: Cons<T> | null;
}

/*
 * A hash array mapped trie keyed by strings: 32-way nodes indexed by 5 hash bits a level, with
 * path copying, so `set` copies at most ~7 small arrays and shares the rest with the old map.
 */
type TrieNode<V> =
  | { t: 0; hash: number; key: string; value: V }
  | { t: 1; bitmap: number; children: readonly TrieNode<V>[] }
  | { t: 2; hash: number; entries: ReadonlyArray<readonly [string, V]> };

/** A murmur-style string hash: FNV-1a collides far too often on look-alike device IDs. */
function hashString(s: string): number {
  let h = 0x9747b28c;
  for (let i = 0; i < s.length; i++) {
    h = Math.imul(h ^ s.charCodeAt(i), 0x5bd1e995);
    h ^= h >>> 15;
  }
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

function nodeHash<V>(n: TrieNode<V>): number {
  return n.t === 1 ? 0 : n.hash;
}

function mergeNodes<V>(a: TrieNode<V>, b: TrieNode<V>, shift: number): TrieNode<V> {
  const ha = nodeHash(a);
  const hb = nodeHash(b);
  const fa = (ha >>> shift) & 31;
  const fb = (hb >>> shift) & 31;
  if (fa === fb) return { t: 1, bitmap: 1 << fa, children: [mergeNodes(a, b, shift + 5)] };
  return { t: 1, bitmap: (1 << fa) | (1 << fb), children: fa < fb ? [a, b] : [b, a] };
}

/** Set by trieSet when it replaces a key rather than adding one (saves a second lookup). */
let added = true;

function trieSet<V>(node: TrieNode<V> | null, shift: number, hash: number, key: string, value: V): TrieNode<V> {
  if (node === null) return { t: 0, hash, key, value };
  if (node.t === 0) {
    if (node.key === key) {
      added = false;
      return { t: 0, hash, key, value };
    }
    if (node.hash === hash) return { t: 2, hash, entries: [[node.key, node.value], [key, value]] };
    return mergeNodes(node, { t: 0, hash, key, value }, shift);
  }
  if (node.t === 2) {
    if (node.hash !== hash) return mergeNodes(node, { t: 0, hash, key, value }, shift);
    const entries = node.entries.filter(([k]) => k !== key);
    if (entries.length < node.entries.length) added = false;
    entries.push([key, value]);
    return { t: 2, hash, entries };
  }
  const bit = 1 << ((hash >>> shift) & 31);
  const at = popcount(node.bitmap & (bit - 1));
  const children = node.children.slice();
  if (node.bitmap & bit) {
    children[at] = trieSet(node.children[at] ?? null, shift + 5, hash, key, value);
    return { t: 1, bitmap: node.bitmap, children };
  }
  children.splice(at, 0, { t: 0, hash, key, value });
  return { t: 1, bitmap: node.bitmap | bit, children };
}

/** The node without `key` (null when emptied); the same node when `key` is absent. */
function trieDelete<V>(node: TrieNode<V> | null, shift: number, hash: number, key: string): TrieNode<V> | null {
  if (node === null) return null;
  if (node.t === 0) return node.key === key ? null : node;
  if (node.t === 2) {
    if (node.hash !== hash) return node;
    const entries = node.entries.filter(([k]) => k !== key);
    if (entries.length === node.entries.length) return node;
    const only = entries[0];
    return entries.length === 1 && only ? { t: 0, hash, key: only[0], value: only[1] } : { t: 2, hash, entries };
  }
  const bit = 1 << ((hash >>> shift) & 31);
  if (!(node.bitmap & bit)) return node;
  const at = popcount(node.bitmap & (bit - 1));
  const child = node.children[at] ?? null;
  const next = trieDelete(child, shift + 5, hash, key);
  if (next === child) return node;
  const children = node.children.slice();
  if (next !== null) {
    children[at] = next;
    return { t: 1, bitmap: node.bitmap, children };
  }
  children.splice(at, 1);
  const bitmap = node.bitmap & ~bit;
  if (bitmap === 0) return null;
  // A lone leaf or collision can move up: lookups compare keys, not depth.
  const lone = children[0];
  if (children.length === 1 && lone && lone.t !== 1) return lone;
  return { t: 1, bitmap, children };
}

function trieGet<V>(root: TrieNode<V> | null, hash: number, key: string): V | undefined {
  let node = root;
  let shift = 0;
  while (node !== null) {
    if (node.t === 0) return node.key === key ? node.value : undefined;
    if (node.t === 2) {
      for (const [k, v] of node.entries) if (k === key) return v;
      return undefined;
    }
    const bit = 1 << ((hash >>> shift) & 31);
    if (!(node.bitmap & bit)) return undefined;
    node = node.children[popcount(node.bitmap & (bit - 1))] ?? null;
    shift += 5;
  }
  return undefined;
}

function trieEach<V>(node: TrieNode<V> | null, fn: (key: string, value: V) => void): void {
  if (node === null) return;
  if (node.t === 0) fn(node.key, node.value);
  else if (node.t === 2) for (const [k, v] of node.entries) fn(k, v);
  else for (const child of node.children) trieEach(child, fn);
}

/** An immutable string-keyed map; `set` returns a new map sharing structure with the old. */
class PMap<V> {
  private constructor(
    private readonly root: TrieNode<V> | null,
    readonly size: number,
  ) {}
  static empty<V>(): PMap<V> {
    return new PMap<V>(null, 0);
  }
  get(key: string): V | undefined {
    return trieGet(this.root, hashString(key), key);
  }
  has(key: string): boolean {
    return this.get(key) !== undefined;
  }
  set(key: string, value: V): PMap<V> {
    added = true;
    const root = trieSet(this.root, 0, hashString(key), key, value);
    return new PMap(root, added ? this.size + 1 : this.size);
  }
  delete(key: string): PMap<V> {
    const root = trieDelete(this.root, 0, hashString(key), key);
    return root === this.root ? this : new PMap(root, this.size - 1);
  }
  forEach(fn: (key: string, value: V) => void): void {
    trieEach(this.root, fn);
  }
}
