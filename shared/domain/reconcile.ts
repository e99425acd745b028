/**
 * Receipt reconciliation (MP155 Req 5): a pure reducer, receipt state + action → verdict + new state.
 *
 * Why the state is built the way it is:
 * - Everything that depends only on the bookings (hub ID → carton, GPF ID → hub, SSCC → pallet)
 *   is an immutable index built once per booking and once per list of other bookings
 *   (memoised by object identity), and shared by every state of every receipt (booking-index.ts;
 *   the other bookings in columns, booking-columns.ts, so 300,000 cached hubs are no 300,000 objects).
 * - What the scans change (hubs, cartons and pallets seen) lives in small persistent hash tries
 *   (path copying, O(log32 n) a scan), so a reduce never copies what came before and an old state
 *   stays valid and unchanged. React may call a reducer twice with the same state (StrictMode);
 *   a persistent state makes that safe, where a shared mutable accumulator would need care.
 *   No library for persistent maps is installed (Immutable.js would fit), hence the small trie
 *   in persistent-map.ts.
 * - Undo reverts the last live scan by its inverse (delete the one key it added, restore the
 *   context it replaced): exact, O(log n), and the history (a persistent list) keeps both the
 *   scan and the undo with its reason. Keeping a pointer to every earlier state instead would
 *   also be exact, but would keep every old version of the tries alive (GC-heavy on replays).
 * - The summary is derived on demand (O(booked + scanned)); the reducer stays O(1)-ish a scan
 *   (receipt-summary.ts). The verdict table is receipt-verdicts.ts, the state's shapes receipt-state.ts.
 *
 * This module is the reducer and what is expected next; it re-exports the rest, so callers
 * import the reconciler from one place.
 */
import { cspForRegion, type BookedHub } from "./booking";
import { ColumnCatalogue, columnCatalogueOf } from "./booking-columns";
import { findHub, ownCatalogue } from "./booking-index";
import { testLabRange } from "./device-id";
import { PMap } from "./persistent-map";
import type {
  Context,
  Core,
  HistoryEntry,
  HubRecord,
  LabelRecord,
  LiveScan,
  ReceiptAction,
  ReceiptIndex,
  ReceiptInit,
  ReceiptState,
  ReduceResult,
  Disposition,
} from "./receipt-state";
import {
  verdict,
  VERDICTS,
  type Ineligibility,
  type UnitKind,
  type Verdict,
  type VerdictCode,
  type VerdictFacts,
} from "./receipt-verdicts";
import type { ParsedScan } from "./scan";
import { describeLabelReference, labelReferenceOf } from "./scan-parser";
import { plainUnreadable, VERDICT_WORDS } from "./scan-words";
import { DEFAULT_SITE_TIME_ZONE, wallTime } from "./site-clock";

export {
  VERDICTS,
  VERDICT_CODES,
  type Ineligibility,
  type UnitKind,
  type Verdict,
  type VerdictClass,
  type VerdictCode,
} from "./receipt-verdicts";
export type {
  Disposition,
  HistoryEntry,
  ReceiptAction,
  ReceiptInit,
  ReceiptState,
  ReduceResult,
} from "./receipt-state";
export {
  history,
  liveScans,
  MISSING_SHOWN,
  summarize,
  type MissingHead,
  type OverLimit,
  type ReceiptException,
  type ReceiptSummary,
} from "./receipt-summary";

/** Start a receipt for `booking`; indexes are built once per booking / per list and shared. */
export function createReceipt(init: ReceiptInit): ReceiptState {
  const index: ReceiptIndex = {
    booking: init.booking,
    site: init.site,
    limits: init.limits,
    own: ownCatalogue(init.booking),
    others: init.otherBookings instanceof ColumnCatalogue ? init.otherBookings : columnCatalogueOf(init.otherBookings),
  };
  const core: Core = {
    live: null,
    liveCount: 0,
    hubs: PMap.empty(),
    cartons: PMap.empty(),
    pallets: PMap.empty(),
    context: { pallet: null, carton: null },
  };
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

function refuse(state: ReceiptState, v: Verdict): ReduceResult {
  return { state, verdict: v };
}

function reduceUndo(state: ReceiptState, action: { scanId: string; reason: string; at?: string }): ReduceResult {
  const core = state.core;
  const last = core.live?.head;
  const reason = action.reason.trim();
  if (!last) return refuse(state, verdict("undo-refused", "There is no scan to undo.", action.scanId, null));
  if (last.scanId !== action.scanId) return reduceUndoEarlier(state, action.scanId, reason, action.at ?? null);
  if (reason === "")
    return refuse(state, verdict("undo-refused", "An undo needs a reason.", action.scanId, last.verdict.subject));
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
  return undone(state, reverted, last, reason, action.at ?? null);
}

/**
 * Undo of a hub scan further back (picked from the recent counted scans): a hub scan changes no
 * context, so taking it out deletes the hub it recorded and nothing else; later scans keep their
 * verdicts (a later duplicate of it stays a duplicate, as the log and central have it). A pallet or
 * carton label further back opened the context later scans were judged in: only the last scan can undo one.
 */
function reduceUndoEarlier(state: ReceiptState, scanId: string, reason: string, at: string | null): ReduceResult {
  const core = state.core;
  const newer: LiveScan[] = [];
  let c = core.live;
  while (c !== null && c.head.scanId !== scanId) {
    newer.push(c.head);
    c = c.tail;
  }
  const last = core.live?.head;
  if (c === null || last === undefined)
    return refuse(
      state,
      verdict("undo-refused", "That scan is not on this receipt any more (undone already?).", scanId, null),
    );
  const target = c.head;
  const quiet = newer.every((l) => changedNothing(l, core.context));
  if (target.added !== "hub" && !(target.added !== null && quiet))
    return refuse(
      state,
      verdict(
        "undo-refused",
        target.added === null
          ? `${capital(describeScan(target.scan))} changed nothing (${VERDICT_WORDS[target.verdict.code]}): there is nothing to undo.`
          : `${capital(describeScan(target.scan))} opened what later scans were counted in: undo those first.`,
        scanId,
        target.verdict.subject,
      ),
    );
  if (reason === "")
    return refuse(state, verdict("undo-refused", "An undo needs a reason.", scanId, target.verdict.subject));
  let live = c.tail;
  for (let i = newer.length - 1; i >= 0; i--) live = { head: newer[i]!, tail: live };
  const subject = target.verdict.subject ?? "";
  const mine = <T extends { scanId: string }>(m: PMap<T>, kind: LiveScan["added"]): PMap<T> =>
    target.added === kind && m.get(subject)?.scanId === target.scanId ? m.delete(subject) : m;
  const reverted: Core = {
    live,
    liveCount: core.liveCount - 1,
    hubs: mine(core.hubs, "hub"),
    cartons: mine(core.cartons, "carton"),
    pallets: mine(core.pallets, "pallet"),
    // A hub scan changes no context; a label is only taken back when nothing after it changed any.
    context: target.added === "hub" ? core.context : target.prevContext,
  };
  return undone(state, reverted, target, reason, at);
}

/** A live scan that recorded nothing and left the context as it found it (`now`: the context at the end). */
function changedNothing(l: LiveScan, now: Context): boolean {
  return l.added === null && l.prevContext.pallet === now.pallet && l.prevContext.carton === now.carton;
}

function undone(
  state: ReceiptState,
  reverted: Core,
  target: LiveScan,
  reason: string,
  at: string | null,
): ReduceResult {
  const v = verdict(
    "undone",
    `Undid ${describeScan(target.scan)} (${VERDICT_WORDS[target.verdict.code]}): ${reason}.`,
    target.scanId,
    target.verdict.subject,
  );
  const entry: HistoryEntry = { type: "undo", scanId: target.scanId, at, reason, verdict: v };
  return {
    state: Object.freeze({
      ...state,
      core: reverted,
      history: { head: entry, tail: state.history },
      undos: state.undos + 1,
    }),
    verdict: v,
  };
}

/** A scan the operator may undo: one that counted something (a hub, carton or pallet recorded). */
export interface UndoCandidate {
  scanId: string;
  at: string;
  /** "hub 00-11-…", "pallet 0050…". */
  what: string;
  /** What the scan did, in words ("received", "held: wrong container"). */
  did: string;
  /** True for the last live scan. */
  last: boolean;
}

/**
 * The recent counted scans an undo may take, newest first (issue 18): scans that changed nothing
 * (errors, duplicates, unreadable codes, a booking label, going back to a pallet) are not offered,
 * so undo never spends itself on them. A pallet or carton label is offered only while nothing
 * after it counted anything or changed what is open (later scans were judged in what it opened).
 */
export function undoCandidates(state: ReceiptState, limit = 8): UndoCandidate[] {
  const out: UndoCandidate[] = [];
  let first = true;
  // True while every scan newer than this one recorded nothing and changed no context.
  let quiet = true;
  for (let c = state.core.live; c !== null && out.length < limit; c = c.tail) {
    const l = c.head;
    if (l.added !== null && (quiet || l.added === "hub"))
      out.push({
        scanId: l.scanId,
        at: l.at,
        what: describeScan(l.scan),
        did: VERDICT_WORDS[l.verdict.code],
        last: first,
      });
    quiet = quiet && changedNothing(l, state.core.context);
    first = false;
  }
  return out;
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
    return refuse(
      state,
      verdict("scan-id-reused", `Scan ${scanId} was already recorded; it is not applied twice.`, scanId, null),
    );
  const core = state.core;
  const out = judge(state.index, core, scanId, scan, at);
  const added = out.hubs ? "hub" : out.cartons ? "carton" : out.pallets ? "pallet" : null;
  const live: LiveScan = {
    type: "scan",
    scanId,
    at,
    scan,
    verdict: out.verdict,
    exception: out.exception,
    prevContext: core.context,
    added,
  };
  const next: Core = {
    live: { head: live, tail: core.live },
    liveCount: core.liveCount + 1,
    hubs: out.hubs ?? core.hubs,
    cartons: out.cartons ?? core.cartons,
    pallets: out.pallets ?? core.pallets,
    context: out.context ?? core.context,
  };
  return {
    state: Object.freeze({
      index: state.index,
      core: next,
      history: { head: live, tail: state.history },
      scanIds,
      undos: state.undos,
    }),
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
        return {
          verdict: verdict(
            "wrong-kind",
            `This is the booking-reference barcode of a label (${describeLabelReference(ref)})${note}. Scan the SSCC barcode (the bottom one).`,
            scanId,
            null,
          ),
          exception: false,
        };
      }
      // Plain words with the next step; the parser's detail stays in the log's raw text.
      return { verdict: verdict("unreadable", plainUnreadable(scan), scanId, null), exception: false };
    }
    case "booking-label":
      return judgeBookingLabel(ix, core, scanId, scan);
    case "pallet":
      return judgeUnit(
        ix,
        core,
        scanId,
        { sscc: scan.sscc, hint: "pallet", bookingRef: scan.bookingRef, hubCount: null },
        at,
      );
    case "carton":
      return judgeUnit(
        ix,
        core,
        scanId,
        { sscc: scan.sscc, hint: "carton", bookingRef: scan.bookingRef, hubCount: scan.hubCount },
        at,
      );
    case "sscc":
      return judgeUnit(ix, core, scanId, { sscc: scan.sscc, hint: null, bookingRef: null, hubCount: null }, at);
    case "carton-number":
      return judgeCartonNumber(ix, core, scanId, scan.cartonNumber, at);
    case "hub":
      return judgeHub(ix, core, scanId, scan.deviceId, at);
  }
}

function judgeBookingLabel(
  ix: ReceiptIndex,
  core: Core,
  scanId: string,
  scan: Extract<ParsedScan, { kind: "booking-label" }>,
): Outcome {
  const b = ix.booking;
  const subject = scan.bookingRef;
  if (core.context.pallet !== null || core.context.carton !== null)
    return {
      verdict: verdict("wrong-kind", `This is a booking label; ${uncapital(prompt(ix, core))}`, scanId, subject),
      exception: false,
    };
  if (scan.bookingRef === b.bookingRef) {
    if (scan.deliveryRef !== b.deliveryRef)
      return {
        verdict: verdict(
          "booking-label-mismatch",
          `The label says delivery ${scan.deliveryRef}; booking ${b.bookingRef} is delivery ${b.deliveryRef}.`,
          scanId,
          subject,
        ),
        exception: false,
      };
    return {
      verdict: verdict(
        "booking-label-expected",
        `Booking ${b.bookingRef}, delivery ${b.deliveryRef} (${b.partyName}).`,
        scanId,
        subject,
      ),
      exception: false,
    };
  }
  if (ix.others.bookings.has(scan.bookingRef))
    return {
      verdict: verdict(
        "booking-label-other",
        `This is the label of booking ${scan.bookingRef}; this receipt is for booking ${b.bookingRef}.`,
        scanId,
        subject,
      ),
      exception: false,
    };
  return {
    verdict: verdict(
      "booking-label-unknown",
      `Booking ${scan.bookingRef} is not known at this dock; this receipt is for booking ${b.bookingRef}.`,
      scanId,
      subject,
    ),
    exception: false,
  };
}

/** A logistic unit as scanned: its SSCC, what our (91) label kind says (a hint; null on a Party's or supplier's label), and what else the label carried. */
interface Unit {
  sscc: string;
  hint: UnitKind | null;
  bookingRef: string | null;
  hubCount: number | null;
}

/**
 * Any SSCC: what it is comes from the lookup (already scanned here, then this booking, then the
 * other bookings), never from the label; our (91) kind is a hint, and a mismatch is named. An
 * SSCC on no booking is a carton label when one of this booking's pallets is open and the label
 * does not claim to be a pallet (the carton's own label, recorded as its hubs' container),
 * otherwise an unexpected unit for a decision (or, with our kind on it, an unexpected pallet or carton).
 */
function judgeUnit(ix: ReceiptIndex, core: Core, scanId: string, unit: Unit, at: string): Outcome {
  const { sscc, hint } = unit;
  const seenAs: UnitKind | null = core.pallets.has(sscc) ? "pallet" : core.cartons.has(sscc) ? "carton" : null;
  const listedAs: UnitKind | null =
    seenAs ??
    (ix.own.pallets.has(sscc)
      ? "pallet"
      : ix.own.cartons.has(sscc)
        ? "carton"
        : ix.others.pallets.has(sscc)
          ? "pallet"
          : ix.others.cartons.has(sscc)
            ? "carton"
            : null);
  if (listedAs === "pallet") return hintChecked(ix, judgePallet(ix, core, scanId, unit, at), sscc, hint, "pallet");
  if (listedAs === "carton") return hintChecked(ix, judgeCarton(ix, core, scanId, unit, at), sscc, hint, "carton");
  if (hint === "pallet") return judgePallet(ix, core, scanId, unit, at);
  const open = core.context.pallet;
  const ownOpen = open !== null && core.pallets.get(open)?.ours === true;
  // Our own carton label names a carton the booking should list: unknown under a pallet that
  // lists cartons, it is unexpected; under one that lists none, it is just the hubs' container.
  const ownRef = unit.bookingRef === null || unit.bookingRef === ix.booking.bookingRef;
  if (hint === "carton" && !(ownOpen && open !== null && ix.own.pallets.get(open)?.cartons === 0 && ownRef))
    return judgeCarton(ix, core, scanId, unit, at);
  if (ownOpen) return unlistedCarton(ix, core, scanId, sscc, at);
  if (open !== null) {
    // Under a pallet that is not this booking's, an unknown label is that pallet's carton: already set aside with it.
    return {
      verdict: verdict(
        "carton-unexpected",
        `Carton ${sscc} is on pallet ${open}, which is not on booking ${ix.booking.bookingRef}; set it aside with that pallet.`,
        scanId,
        sscc,
      ),
      exception: false,
      cartons: core.cartons.set(sscc, { scanId, at, code: "carton-unexpected", pallet: open, ours: false }),
      context: { pallet: open, carton: sscc },
    };
  }
  const context: Context = { pallet: sscc, carton: null };
  return {
    verdict: verdict(
      "unit-unexpected",
      `SSCC ${sscc} is on no booking known here (not a listed pallet or carton); set it aside for a decision, it is not added.`,
      scanId,
      sscc,
    ),
    exception: true,
    pallets: core.pallets.set(sscc, { scanId, at, code: "unit-unexpected", pallet: null, ours: false }),
    context,
  };
}

/** A hint that disagrees with the lookup is named; the lookup decides what the unit is. */
function hintChecked(ix: ReceiptIndex, out: Outcome, sscc: string, hint: UnitKind | null, listedAs: UnitKind): Outcome {
  if (hint === null || hint === listedAs || out.verdict.class === "error") return out;
  const reason = `The label says ${hint}, but ${sscc} is ${listedAs === "pallet" ? "a pallet" : "a carton"} on booking ${ix.booking.bookingRef}: taken as ${listedAs === "pallet" ? "a pallet" : "a carton"}. ${out.verdict.reason}`;
  return {
    ...out,
    verdict: verdict("unit-hint-mismatch", reason, out.verdict.scanId, sscc, { listedAs, labelSays: hint }),
  };
}

/** A carton label the booking does not list (a supplier's SSCC or carton number): recorded as the container of the hubs that follow. */
function unlistedCarton(ix: ReceiptIndex, core: Core, scanId: string, label: string, at: string): Outcome {
  const open = core.context.pallet;
  const seen = core.cartons.get(label);
  if (seen)
    return {
      verdict: verdict("carton-resumed", `Back on carton ${label}; scan its hubs.`, scanId, label),
      exception: false,
      context: { pallet: seen.pallet, carton: label },
    };
  const where = open === null ? "loose" : `on pallet ${open}`;
  const listsCartons =
    open === null ? ix.booking.looseCartons.length > 0 : (ix.own.pallets.get(open)?.cartons ?? 0) > 0;
  const note = listsCartons ? " (the booking lists other cartons; hubs still count by their listing)" : "";
  return {
    verdict: verdict(
      "carton-unlisted",
      `Carton ${label} ${where}: not listed on the booking${note}; recorded as the container of the hubs scanned next. Scan a hub.`,
      scanId,
      label,
    ),
    exception: false,
    cartons: core.cartons.set(label, { scanId, at, code: "carton-unlisted", pallet: open, ours: true, unlisted: true }),
    context: { pallet: open, carton: label },
  };
}

/** An original supplier's carton number: never on a booking, so always an unlisted carton label. */
function judgeCartonNumber(ix: ReceiptIndex, core: Core, scanId: string, number: string, at: string): Outcome {
  const open = core.context.pallet;
  if (open !== null && !core.pallets.get(open)?.ours && !core.cartons.has(number))
    return {
      verdict: verdict(
        "carton-unexpected",
        `Carton ${number} is on pallet ${open}, which is not on booking ${ix.booking.bookingRef}; set it aside with that pallet.`,
        scanId,
        number,
      ),
      exception: false,
      cartons: core.cartons.set(number, { scanId, at, code: "carton-unexpected", pallet: open, ours: false }),
      context: { pallet: open, carton: number },
    };
  return unlistedCarton(ix, core, scanId, number, at);
}

function judgePallet(ix: ReceiptIndex, core: Core, scanId: string, scan: Unit, at: string): Outcome {
  const sscc = scan.sscc;
  const context: Context = { pallet: sscc, carton: null };
  const seen = core.pallets.get(sscc);
  if (seen) {
    if (seen.ours)
      return {
        verdict: verdict("pallet-resumed", `Back on pallet ${sscc}; ${uncapital(palletNext(ix, sscc))}`, scanId, sscc),
        exception: false,
        context,
      };
    return {
      verdict: verdict(
        seen.code,
        `Pallet ${sscc} again (first scanned ${clock(seen.at, ix)}): it is not on booking ${ix.booking.bookingRef}.`,
        scanId,
        sscc,
      ),
      exception: false,
      context,
    };
  }
  const record = (code: VerdictCode, ours: boolean): PMap<LabelRecord> =>
    core.pallets.set(sscc, { scanId, at, code, pallet: null, ours });
  const own = ix.own.pallets.get(sscc);
  if (own) {
    const booked = own.cartons > 0 ? `${own.cartons} cartons booked` : `${own.hubs} hubs booked, no cartons listed`;
    return {
      verdict: verdict(
        "pallet-expected",
        `Pallet ${sscc}: ${booked}; ${uncapital(palletNext(ix, sscc))}`,
        scanId,
        sscc,
      ),
      exception: false,
      pallets: record("pallet-expected", true),
      context,
    };
  }
  const other = otherRef(ix, ix.others.pallets.get(sscc)?.bookingRef) ?? otherRef(ix, scan.bookingRef);
  if (other)
    return {
      verdict: verdict(
        "pallet-other-booking",
        `Pallet ${sscc} belongs to booking ${other}, not ${ix.booking.bookingRef}; set it aside.`,
        scanId,
        sscc,
        { otherBookingRef: other },
      ),
      exception: true,
      pallets: record("pallet-other-booking", false),
      context,
    };
  return {
    verdict: verdict(
      "pallet-unexpected",
      `Pallet ${sscc} is not on any booking known here; set it aside.`,
      scanId,
      sscc,
    ),
    exception: true,
    pallets: record("pallet-unexpected", false),
    context,
  };
}

function judgeCarton(ix: ReceiptIndex, core: Core, scanId: string, scan: Unit, at: string): Outcome {
  const sscc = scan.sscc;
  const seen = core.cartons.get(sscc);
  if (seen) {
    const context: Context = { pallet: seen.pallet, carton: sscc };
    if (seen.ours)
      return {
        verdict: verdict("carton-resumed", `Back on carton ${sscc}; ${hubsLeftWords(ix, core, sscc)}.`, scanId, sscc),
        exception: false,
        context,
      };
    if (seen.code === "carton-unexpected" && seen.pallet !== null && !core.pallets.get(seen.pallet)?.ours)
      return {
        verdict: verdict(
          "carton-unexpected",
          `Carton ${sscc} again: it is on pallet ${seen.pallet}, not on booking ${ix.booking.bookingRef}.`,
          scanId,
          sscc,
        ),
        exception: false,
        context,
      };
    return {
      verdict: verdict(
        seen.code,
        `Carton ${sscc} again (first scanned ${clock(seen.at, ix)}): it is not on booking ${ix.booking.bookingRef}.`,
        scanId,
        sscc,
      ),
      exception: false,
      context,
    };
  }
  const open = core.context.pallet;
  const own = ix.own.cartons.get(sscc);
  if (own) {
    if (own.pallet !== null && open === null)
      return {
        verdict: verdict(
          "wrong-kind",
          `This is a carton label of pallet ${own.pallet}; scan that pallet's label first.`,
          scanId,
          sscc,
        ),
        exception: false,
      };
    // A loose carton has no pallet; a palletised one is judged against the pallet open now.
    const pallet = own.pallet === null ? null : open;
    const context: Context = { pallet, carton: sscc };
    const record = (code: VerdictCode): PMap<LabelRecord> =>
      core.cartons.set(sscc, { scanId, at, code, pallet, ours: true });
    if (own.pallet !== null && open !== own.pallet)
      return {
        verdict: verdict(
          "carton-other-pallet",
          `Carton ${sscc} is listed on pallet ${own.pallet}, not on pallet ${open}; its hubs still count.`,
          scanId,
          sscc,
        ),
        exception: false,
        cartons: record("carton-other-pallet"),
        context,
      };
    if (scan.hubCount !== null && scan.hubCount !== own.hubs.length)
      return {
        verdict: verdict(
          "carton-count-mismatch",
          `Carton ${sscc}: the label says ${scan.hubCount} hubs, the booking lists ${own.hubs.length}; scan its hubs.`,
          scanId,
          sscc,
        ),
        exception: false,
        cartons: record("carton-count-mismatch"),
        context,
      };
    const where = own.pallet === null ? "loose carton" : "carton";
    return {
      verdict: verdict(
        "carton-expected",
        `${capital(where)} ${sscc}: ${own.hubs.length} hubs booked; scan a hub.`,
        scanId,
        sscc,
      ),
      exception: false,
      cartons: record("carton-expected"),
      context,
    };
  }
  const context: Context = { pallet: open, carton: sscc };
  const record = (code: VerdictCode): PMap<LabelRecord> =>
    core.cartons.set(sscc, { scanId, at, code, pallet: open, ours: false });
  const other = otherRef(ix, ix.others.cartons.get(sscc)?.bookingRef) ?? otherRef(ix, scan.bookingRef);
  if (other)
    return {
      verdict: verdict(
        "carton-other-booking",
        `Carton ${sscc} belongs to booking ${other}, not ${ix.booking.bookingRef}; set it aside.`,
        scanId,
        sscc,
        { otherBookingRef: other },
      ),
      exception: true,
      cartons: record("carton-other-booking"),
      context,
    };
  return {
    verdict: verdict(
      "carton-unexpected",
      `Carton ${sscc} is not on any booking known here; set it aside.`,
      scanId,
      sscc,
    ),
    exception: true,
    cartons: record("carton-unexpected"),
    context,
  };
}

function judgeHub(ix: ReceiptIndex, core: Core, scanId: string, id: string, at: string): Outcome {
  const { pallet, carton } = core.context;
  if (carton === null && pallet === null)
    return {
      verdict: verdict(
        "wrong-kind",
        "This is a hub ID; scan a pallet label or a loose carton's label before hubs.",
        scanId,
        id,
      ),
      exception: false,
    };
  const seen = core.hubs.get(id);
  if (seen)
    return {
      verdict: verdict(
        "hub-duplicate",
        `Hub ${id} was already scanned ${clock(seen.at, ix)} ${containerWords(seen.carton, seen.pallet)} (${VERDICT_WORDS[seen.code]}); not counted again.`,
        scanId,
        id,
      ),
      exception: false,
    };

  const own = findHub(ix.own, ix.own.hubs, id);
  const lab = ix.site.production ? testLabRange(id) : null;
  if (lab !== null)
    return recordHub(
      core,
      scanId,
      id,
      at,
      "hub-test-lab",
      own ? "held" : "extra",
      `Hub ${id} is in the ${lab}; a production site does not accept it. Set it aside.`,
    );
  if (own) {
    const problem = ineligibility(ix, own.hub);
    if (problem !== null)
      return recordHub(
        core,
        scanId,
        id,
        at,
        "hub-not-eligible",
        "held",
        `Hub ${id} is not eligible: ${problem.words}. Set it aside.`,
        { ineligible: problem.code },
      );
    // In its listed carton; or under its listed pallet with no listed carton open (no carton
    // open, or a carton label the booking does not list): hubs count against their pallet.
    const listedCartonOpen = carton !== null && ix.own.cartons.has(carton);
    const inPlace =
      (own.carton !== null && carton === own.carton) ||
      (own.pallet !== null && pallet === own.pallet && !listedCartonOpen);
    if (!inPlace) {
      const listed =
        own.carton !== null
          ? `in carton ${own.carton}${own.pallet ? ` on pallet ${own.pallet}` : ""}`
          : `on pallet ${own.pallet ?? "?"}`;
      return recordHub(
        core,
        scanId,
        id,
        at,
        "hub-wrong-container",
        "held",
        `Hub ${id} is listed ${listed}, not ${containerWords(carton, pallet)}; held for a decision.`,
      );
    }
    return recordHub(core, scanId, id, at, "hub-expected", "received", `Hub ${id} received.`);
  }
  const other = ix.others.findHub(id);
  if (other && other.bookingRef !== ix.booking.bookingRef)
    return recordHub(
      core,
      scanId,
      id,
      at,
      "hub-other-booking",
      "extra",
      `Hub ${id} belongs to booking ${other.bookingRef} (carton ${other.carton}), not ${ix.booking.bookingRef}; set it aside.`,
      { otherBookingRef: other.bookingRef },
    );
  const ownGpf = findHub(ix.own, ix.own.gpfs, id);
  const gpf = ownGpf ? { deviceId: ownGpf.hub.deviceId, bookingRef: ownGpf.bookingRef } : ix.others.findGpf(id);
  if (gpf) {
    const of = gpf.bookingRef === ix.booking.bookingRef ? "" : ` on booking ${gpf.bookingRef}`;
    return {
      verdict: verdict(
        "hub-wrong-device-type",
        `This is the Gas Proxy Function ID of hub ${gpf.deviceId}${of}; scan the hub's own (CHF) ID.`,
        scanId,
        id,
      ),
      exception: false,
    };
  }
  return recordHub(
    core,
    scanId,
    id,
    at,
    "hub-unexpected",
    "extra",
    `Hub ${id} is not on any booking known here; held for a decision, not added.`,
  );
}

// A plain function, not a closure in judgeHub: this is the hot path of a replay.
function recordHub(
  core: Core,
  scanId: string,
  id: string,
  at: string,
  code: VerdictCode,
  disposition: Disposition,
  reason: string,
  facts?: VerdictFacts,
): Outcome {
  const { carton, pallet } = core.context;
  return {
    verdict: verdict(code, reason, scanId, id, facts),
    exception: VERDICTS[code].decision,
    hubs: core.hubs.set(id, { scanId, at, code, carton, pallet, disposition }),
  };
}

function containerWords(carton: string | null, pallet: string | null): string {
  if (carton !== null) return `in carton ${carton}${pallet !== null ? ` on pallet ${pallet}` : ""}`;
  return pallet !== null ? `on pallet ${pallet} (no carton open)` : "with nothing open";
}

/** What to scan after opening one of this booking's pallets: a carton label when it lists cartons, else its hubs. */
function palletNext(ix: ReceiptIndex, sscc: string): string {
  const p = ix.own.pallets.get(sscc);
  return p && p.cartons === 0 ? "Scan its hubs (or a carton's own label first)." : "Scan a carton label (or a hub).";
}

/** Why a booked hub cannot be accepted at this site (as a fact and in words), or null. */
function ineligibility(ix: ReceiptIndex, hub: BookedHub): { code: Ineligibility; words: string } | null {
  const b = ix.booking;
  if (hub.smiStatus !== "Pending")
    return { code: "not-pending", words: `its SMI status is ${hub.smiStatus}, not Pending` };
  if (hub.assignedParty !== b.partyId)
    return { code: "other-party", words: `it is assigned to ${hub.assignedParty}, not to ${b.partyId}` };
  const csp = cspForRegion(hub.cspRegion);
  if (csp !== ix.site.csp)
    return {
      code: "wrong-csp",
      words: `its CSP region ${hub.cspRegion} is served by CSP ${csp}, not by this site's CSP ${ix.site.csp}`,
    };
  if (b.facilityId !== ix.site.facilityId)
    return {
      code: "wrong-facility",
      words: `booking ${b.bookingRef} is for facility ${b.facilityId}, not this facility ${ix.site.facilityId}`,
    };
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
    case "sscc":
      return `SSCC ${scan.sscc}`;
    case "carton-number":
      return `carton ${scan.cartonNumber}`;
    case "pallet":
      return `pallet ${scan.sscc}`;
    case "booking-label":
      return `booking label ${scan.bookingRef}`;
    case "unreadable":
      return labelReferenceOf(scan) !== null ? "the booking-reference barcode of a label" : "an unreadable scan";
  }
}

/** The site's wall-clock time of an instant, 24-hour (never the instant's UTC hour). */
function clock(at: string, ix: ReceiptIndex): string {
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return "earlier";
  return `at ${wallTime(d, ix.site.timeZone ?? DEFAULT_SITE_TIME_ZONE).time}`;
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
  if (carton !== null)
    return {
      kind: "hub",
      cartonSscc: carton,
      palletSscc: pallet,
      remaining: hubsLeft(state.index, state.core, carton),
      prompt: p,
    };
  if (pallet !== null) return { kind: "carton", palletSscc: pallet, prompt: p };
  return { kind: "booking-or-pallet", prompt: p };
}

function prompt(ix: ReceiptIndex, core: Core): string {
  const { pallet, carton } = core.context;
  if (carton !== null)
    return `Scan a hub of carton ${carton} (${hubsLeftWords(ix, core, carton)}), or another carton or pallet label.`;
  if (pallet !== null) return `Scan a carton label or a hub of pallet ${pallet}.`;
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
  if (left === null)
    return core.cartons.get(carton)?.unlisted ? "not listed: its hubs count by their listing" : "not on this booking";
  return `${left} of ${ix.own.cartons.get(carton)?.hubs.length ?? 0} left`;
}
