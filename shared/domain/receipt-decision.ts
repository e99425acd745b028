import {
  draftEvent,
  makeEvent,
  tryMakeEvent,
  type DockEvent,
  type EventContext,
  type EventOf,
  type HubRejectionCodeSchema,
  type PayloadOf,
  type ScanVerdictCode,
} from "../events";
import type { z } from "zod";
import { newEventId } from "./ids";
import { deriveLiabilityTransfer } from "./liability";
import {
  liveScans,
  reduce,
  replay,
  type ReceiptAction,
  type ReceiptInit,
  type ReceiptState,
  undoCandidates,
  type Verdict,
  type VerdictCode,
} from "./reconcile";
import { closeFigures, closeProblem } from "./receipt-close";
import type { Context as ScanContext } from "./receipt-state";
import { parseScan } from "./scan-parser";
import type { ParsedScan } from "./scan";

/**
 * The receipt aggregate's decisions: the receipt's record and its reconciler state plus one
 * command in; the verdict, the events to record and the change to the receipt out. Pure but
 * for a fresh event id when the stamp gives none. The renderer's slice records the events
 * (renderer/src/db/dock-log.ts) and shows the verdict; it decides nothing itself.
 */

export type HubRejectionCode = z.infer<typeof HubRejectionCodeSchema>;
export type ScanSource = PayloadOf<"scan.recorded">["source"];

/** What this dock knows of one receipt besides its scans (the receipt row, without the booking it holds). */
export interface ReceiptRecord {
  bookingRef: string;
  status: "open" | "closed";
  arrivedAt: string | null;
  late: boolean;
  reportedEta: string | null;
  unloader: "dock" | "party" | null;
  unloadingStartedAt: string | null;
  unloadingStartedEventId: string | null;
  unloadingCompletedAt: string | null;
  unloadingCompletedEventId: string | null;
  liabilityAt: string | null;
  liabilityRule: string | null;
  outcome: "accepted" | "partial" | "rejected" | null;
}

/** A receipt just opened: open, nothing recorded yet (no arrival, unloading, liability or outcome). */
export function openedReceipt(bookingRef: string): ReceiptRecord {
  return {
    bookingRef,
    status: "open",
    arrivedAt: null,
    late: false,
    reportedEta: null,
    unloader: null,
    unloadingStartedAt: null,
    unloadingStartedEventId: null,
    unloadingCompletedAt: null,
    unloadingCompletedEventId: null,
    liabilityAt: null,
    liabilityRule: null,
    outcome: null,
  };
}

/** Who records, where and when: the event stamp (dock, operator, instant, clock offset; an id only to re-create a known event). */
export interface Stamp extends EventContext {
  now: Date;
}

export type ReceiptCommand =
  /** `parsed`, when given, is `parseScan(clipRaw(raw))`: build it with `scanCommand`. */
  | { type: "scan"; raw: string; source: ScanSource; parsed?: ParsedScan }
  /** Undo the last counted scan, or the one picked from `undoCandidates` (its scan event id). */
  | { type: "undo-last"; reason: string; scanId?: string }
  | { type: "arrive"; late: boolean; reportedEta: string | null }
  | { type: "start-unloading" }
  | { type: "complete-unloading" }
  | {
      type: "close";
      /** Chosen by the operator; null (nothing chosen) is refused: there is no default outcome. */
      outcome: "accepted" | "partial" | "rejected" | null;
      rejectedHubs: PayloadOf<"receipt.closed">["rejectedHubs"];
      rejectionReason: string | null;
      packagingNotes?: string | null;
      damageNotes?: string | null;
    };

/** A command the receipt refuses, in words for the operator; nothing is recorded. */
export interface Refusal {
  ok: false;
  message: string;
}

export interface ReceiptDecision {
  ok: true;
  /** The reconciler's verdict, for a scan or an undo. */
  verdict: Verdict | null;
  /** For a scan: the verdict as the event log records it. */
  logCode: ScanVerdictCode | null;
  events: DockEvent[];
  /** The receipt's fields that change (none for a scan or an undo: the counts come from the log). */
  record: Partial<ReceiptRecord> | null;
  /** The reconciler state after the command. */
  reconcile: ReceiptState;
}

/** Decide one receipt command. */
export function decideReceipt(
  record: ReceiptRecord,
  reconcile: ReceiptState,
  command: ReceiptCommand,
  stamp: Stamp,
): ReceiptDecision | Refusal {
  const ok = (
    events: DockEvent[],
    change: Partial<ReceiptRecord> | null,
    verdict: Verdict | null = null,
    logCode: ScanVerdictCode | null = null,
    next = reconcile,
  ): ReceiptDecision => ({
    ok: true,
    verdict,
    logCode,
    events,
    record: change,
    reconcile: next,
  });
  const event = <T extends DockEvent["type"]>(type: T, payload: PayloadOf<T>): EventOf<T> =>
    makeEvent(type, payload, stamp);
  const r = record;
  switch (command.type) {
    case "scan": {
      const raw = clipRaw(command.raw);
      const parsed = command.parsed ?? parseScan(raw);
      // The pallet and carton this scan is judged under (not `expecting`, whose prompt words
      // count the carton's hubs left: a walk the scan's path to its beep need not take).
      const before = reconcile.core.context;
      // The event's id and instant first (the reconciler keys the scan by them), then the
      // event itself once the verdict is known: built once, and checked against its schema by
      // the write that records it, while the database works (events.ts, draftEvent).
      const id = stamp.id ?? newEventId(stamp.now);
      const result = reduce(reconcile, { type: "scan", scanId: id, scan: parsed, at: stamp.now.toISOString() });
      const v = result.verdict;
      const logCode = eventVerdictFor(v.code);
      const recorded = draftEvent(
        "scan.recorded",
        {
          bookingRef: r.bookingRef,
          source: command.source,
          raw,
          kind: parsed.kind,
          verdict: logCode,
          palletSscc: before.pallet,
          cartonSscc: before.carton !== null && SSCC.test(before.carton) ? before.carton : null,
          deviceId: parsed.kind === "hub" ? parsed.deviceId : null,
          sscc: parsed.kind === "pallet" || parsed.kind === "carton" || parsed.kind === "sscc" ? parsed.sscc : null,
          ...cartonNumberOf(parsed, before),
          otherBookingRef: v.otherBookingRef,
          // An unreadable code keeps the parser's detail for support; the screen shows plain words.
          reason: (parsed.kind === "unreadable" && v.code === "unreadable" ? parsed.reason : v.reason).slice(0, 500),
        },
        { ...stamp, id },
      );
      return ok([recorded], null, v, logCode, result.state);
    }
    case "undo-last": {
      // Only a scan that counted something is undone (issue 18): an undo never spends itself on
      // an error or a duplicate, and the operator says which (the last counted one by default).
      const candidates = undoCandidates(reconcile, Number.POSITIVE_INFINITY);
      const targetId = command.scanId ?? candidates[0]?.scanId;
      if (targetId === undefined)
        return {
          ok: false,
          message:
            "Nothing to undo: no scan has counted anything (errors, duplicates and unreadable codes change nothing).",
        };
      if (command.reason.trim() === "")
        return { ok: false, message: "An undo needs a reason: say why the scan is undone." };
      if (!candidates.some((c) => c.scanId === targetId)) {
        if (liveScans(reconcile).at(-1)?.scanId === targetId)
          return {
            ok: false,
            message: "That scan changed nothing (an error or a duplicate): there is nothing to undo.",
          };
        const refused = reduce(reconcile, { type: "undo", scanId: targetId, reason: command.reason });
        return {
          ok: false,
          message: refused.verdict.code === "undo-refused" ? refused.verdict.reason : "That scan cannot be undone.",
        };
      }
      // At the undo event's own instant, so the state a replay of the log gives is this one exactly.
      const probe = reduce(reconcile, {
        type: "undo",
        scanId: targetId,
        reason: command.reason,
        at: stamp.now.toISOString(),
      });
      if (probe.verdict.code === "undo-refused") return { ok: false, message: probe.verdict.reason };
      const e = event("scan.undone", {
        bookingRef: r.bookingRef,
        scanEventId: targetId,
        reason: command.reason.trim().slice(0, 500),
      });
      return ok([e], null, probe.verdict, null, probe.state);
    }
    case "arrive": {
      // Recorded once: a second booking-label scan or a double click records nothing more.
      if (r.arrivedAt !== null) return ok([], null);
      const eta = command.reportedEta;
      if (command.late && (eta === null || Number.isNaN(Date.parse(eta))))
        return { ok: false, message: "A late arrival needs the ETA the carrier reported." };
      const e = event("booking.arrived", {
        bookingRef: r.bookingRef,
        late: command.late,
        reportedEta: command.late && eta !== null ? new Date(eta).toISOString() : null,
      });
      return ok([e], { arrivedAt: e.at, late: command.late, reportedEta: e.payload.reportedEta });
    }
    case "start-unloading": {
      if (r.arrivedAt === null) return { ok: false, message: "Record the arrival first." };
      if (r.unloader === null) return { ok: false, message: "Say who unloads first: the dock or the Party's carrier." };
      if (r.unloadingStartedAt !== null) return ok([], null);
      const started = event("unloading.started", {
        direction: "inbound",
        bookingRef: r.bookingRef,
        unloader: r.unloader,
      });
      const events: DockEvent[] = [started];
      const change: Partial<ReceiptRecord> = { unloadingStartedAt: started.at, unloadingStartedEventId: started.id };
      const liability = deriveLiabilityTransfer({
        direction: "inbound",
        unloader: r.unloader,
        startedAt: started.at,
        completedAt: null,
        operatorId: started.operatorId,
      });
      if (liability.ok) {
        events.push(
          event("liability.transferred", {
            direction: "inbound",
            bookingRef: r.bookingRef,
            unloader: r.unloader,
            transferAt: liability.transferAt,
            ruleId: liability.ruleId,
            rule: liability.rule,
            from: liability.from,
            to: liability.to,
            startedAt: started.at,
            completedAt: null,
            startedEventId: started.id,
            completedEventId: null,
          }),
        );
        Object.assign(change, { liabilityAt: liability.transferAt, liabilityRule: liability.rule });
      }
      return ok(events, change);
    }
    case "complete-unloading": {
      if (r.unloader === null) return ok([], null);
      if (r.unloadingStartedAt === null || r.unloadingStartedEventId === null)
        return { ok: false, message: "Unloading has not started." };
      if (r.unloadingCompletedAt !== null) return ok([], null);
      const done = event("unloading.completed", {
        direction: "inbound",
        bookingRef: r.bookingRef,
        unloader: r.unloader,
      });
      const events: DockEvent[] = [done];
      const change: Partial<ReceiptRecord> = { unloadingCompletedAt: done.at, unloadingCompletedEventId: done.id };
      const liability = deriveLiabilityTransfer({
        direction: "inbound",
        unloader: r.unloader,
        startedAt: r.unloadingStartedAt,
        completedAt: done.at,
        operatorId: done.operatorId,
      });
      if (!liability.ok) return { ok: false, message: `Liability cannot be derived: ${liability.message}` };
      if (r.liabilityAt === null) {
        events.push(
          event("liability.transferred", {
            direction: "inbound",
            bookingRef: r.bookingRef,
            unloader: r.unloader,
            transferAt: liability.transferAt,
            ruleId: liability.ruleId,
            rule: liability.rule,
            from: liability.from,
            to: liability.to,
            startedAt: r.unloadingStartedAt,
            completedAt: done.at,
            startedEventId: r.unloadingStartedEventId,
            completedEventId: done.id,
          }),
        );
        Object.assign(change, { liabilityAt: liability.transferAt, liabilityRule: liability.rule });
      }
      return ok(events, change);
    }
    case "close": {
      const figures = closeFigures(reconcile);
      const problem = closeProblem(figures, command);
      if (problem !== null || command.outcome === null) return { ok: false, message: problem ?? "Choose an outcome." };
      const missing = figures.total.missing;
      const payload = {
        bookingRef: r.bookingRef,
        outcome: command.outcome,
        rejectedHubs: command.outcome === "partial" ? command.rejectedHubs : [],
        rejectionReason: command.outcome === "rejected" ? command.rejectionReason : null,
        packagingNotes: command.packagingNotes?.trim() || null,
        damageNotes: command.damageNotes?.trim() || null,
        ...(command.outcome !== "rejected" && missing > 0 ? { missingHubs: missing } : {}),
      };
      // What the operator typed can still break the event's rules (a note too long, a hub ID
      // twice): refused in words naming the field, nothing recorded.
      const closed = tryMakeEvent("receipt.closed", payload, stamp);
      if (!closed.ok) return { ok: false, message: `Cannot close yet: ${plainFieldProblem(closed.reason)}` };
      return ok([closed.event], { status: "closed", outcome: command.outcome });
    }
  }
}

const FIELD_WORDS: Record<string, string> = {
  rejectedHubs: "the hubs rejected",
  rejectionReason: "the reason for rejecting",
  packagingNotes: "the packaging notes",
  damageNotes: "the damage notes",
};

/** A schema's "payload.damageNotes: String must contain at most 2000 character(s)" as "the damage notes: …". */
function plainFieldProblem(reason: string): string {
  const m = /^payload\.(\w+)[.\w]*: (.*)$/.exec(reason);
  if (!m) return "check what was typed.";
  return `${FIELD_WORDS[m[1]!] ?? "what was typed"}: ${m[2]!.replace(/\bstring\b/gi, "text")}.`;
}

/**
 * A receipt's reconciler state rebuilt from its logged events (scans and undos, in log order;
 * the rest do not move it): the log is the truth, so a reload or an accepted amendment replays it.
 */
export function receiptFromLog(init: ReceiptInit, events: Iterable<DockEvent>): ReceiptState {
  const actions: ReceiptAction[] = [];
  for (const e of events) {
    if (e.type === "scan.recorded")
      actions.push({ type: "scan", scanId: e.id, scan: parseScan(e.payload.raw), at: e.at });
    else if (e.type === "scan.undone")
      actions.push({ type: "undo", scanId: e.payload.scanEventId, reason: e.payload.reason, at: e.at });
  }
  return replay(init, actions);
}

/** The event-log verdict a reconciler verdict is recorded as (events carry the coarse code, the reason keeps the detail). */
export function eventVerdictFor(code: VerdictCode): ScanVerdictCode {
  switch (code) {
    case "booking-label-expected":
    case "pallet-expected":
    case "pallet-resumed":
    case "carton-expected":
    case "carton-resumed":
    case "carton-count-mismatch":
    case "carton-unlisted":
    case "unit-hint-mismatch":
    case "hub-expected":
    case "undone":
      return "expected";
    case "hub-duplicate":
    case "scan-id-reused":
      return "duplicate";
    case "booking-label-other":
    case "pallet-other-booking":
    case "carton-other-booking":
    case "hub-other-booking":
      return "other-booking";
    case "booking-label-mismatch":
    case "booking-label-unknown":
    case "pallet-unexpected":
    case "carton-unexpected":
    case "unit-unexpected":
    case "hub-unexpected":
      return "unexpected";
    case "carton-other-pallet":
    case "hub-wrong-container":
      return "wrong-container";
    case "hub-not-eligible":
      return "not-eligible";
    case "hub-wrong-device-type":
      return "wrong-device-type";
    case "hub-test-lab":
      return "test-lab";
    case "unreadable":
      return "unreadable";
    case "wrong-kind":
    case "undo-refused":
      return "wrong-kind";
  }
}

/** The rejection code to propose for a hub whose scan got this verdict (the operator may change it). */
export function rejectionCodeFor(verdict: Pick<Verdict, "code" | "ineligible">): HubRejectionCode {
  switch (verdict.code) {
    case "hub-not-eligible":
      return verdict.ineligible === "not-pending"
        ? "not-pending"
        : verdict.ineligible === "other-party"
          ? "other-party"
          : "wrong-csp-or-facility";
    case "hub-test-lab":
      return "test-lab";
    case "hub-other-booking":
      return "other-booking";
    case "hub-unexpected":
      return "unexpected";
    case "hub-wrong-device-type":
      return "wrong-device-type";
    default:
      return "other";
  }
}

const SSCC = /^\d{18}$/;

/**
 * A supplier's carton number this scan names, or (for a hub) the one it was scanned under: the
 * hub's container on arrival, kept in the event so the re-delivery can put it back (an SSCC
 * container is in `cartonSscc`). Left out when there is none, so older events keep their shape.
 */
function cartonNumberOf(parsed: ReturnType<typeof parseScan>, before: ScanContext): { cartonNumber?: string } {
  if (parsed.kind === "carton-number") return { cartonNumber: parsed.cartonNumber };
  if (before.carton !== null && !SSCC.test(before.carton)) return { cartonNumber: before.carton };
  return {};
}

/** A scan command parsed once: the caller can open its write for the scanned hub before the decision. */
export function scanCommand(
  raw: string,
  source: ScanSource,
): Extract<ReceiptCommand, { type: "scan" }> & { parsed: ParsedScan } {
  return { type: "scan", raw, source, parsed: parseScan(clipRaw(raw)) };
}

/** Scanner raw text cut to what an event may carry, keeping the start (AIM prefix and data). */
export function clipRaw(raw: string): string {
  return raw.length > 1000 ? raw.slice(0, 1000) : raw;
}
