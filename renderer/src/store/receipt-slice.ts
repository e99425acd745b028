import type { StateCreator } from "zustand";
import type { Booking } from "../../../shared/domain/booking";
import { deriveLiabilityTransfer } from "../../../shared/domain/liability";
import {
  expecting,
  liveScans,
  reduce,
  replay,
  summarize,
  type ReceiptAction,
  type ReceiptState,
} from "../../../shared/domain/reconcile";
import { parseScan } from "../../../shared/domain/scan-parser";
import { newEventId } from "../../../shared/domain/ids";
import { makeEvent, type DockEvent, type DockEventType, type PayloadOf } from "../../../shared/events";
import type { ReceiptRow } from "../db/dock-db";
import { bookingEvents, recordEvents, type ProjectionChange } from "../db/record-event";
import { amendedFields, clipRaw, eventVerdictFor } from "../receiving/receiving-rules";
import type { DockDeps } from "./dock-deps";
import type { All, QueuedScan, ReceiptSlice, ShownVerdict } from "./slice-types";





/**
 * User Timing on the scan path (bench/renderer-scan.ts and the browser's performance panel):
 * "scan.queued" received by the router → judging starts, "scan.durable" → committed to
 * IndexedDB, "scan.verdict" → verdict in the store and sounded. Keyed by the queued scan
 * object, so the persisted queue is unchanged; cleared now and then so a day of scanning
 * does not grow the timeline (a PerformanceObserver still sees every entry).
 */
const SCAN_MEASURES = ["scan.queued", "scan.durable", "scan.verdict"] as const;
const receivedAt = new WeakMap<QueuedScan, number>();
let measuredScans = 0;
function measureScan(name: (typeof SCAN_MEASURES)[number], q: QueuedScan): void {
  const start = receivedAt.get(q);
  if (start === undefined) return;
  performance.measure(name, { start, end: performance.now() });
  if (name === "scan.verdict" && ++measuredScans % 2000 === 0) for (const n of SCAN_MEASURES) performance.clearMeasures(n);
}

const ACTIVE_KEY = "session.activeReceipt";
/** An unacknowledged error and the scans held behind it survive a reload or crash. */
const HELD_KEY = "receipt.held";

interface HeldRow {
  bookingRef: string;
  pendingError: ShownVerdict | null;
  queue: QueuedScan[];
}

/** The receipt on the dock: arrival, unloading, liability, guided scanning, undo, close. */
export const createReceiptSlice =
  (deps: DockDeps): StateCreator<All, [], [], ReceiptSlice> =>
  (set, get) => {
    let draining: Promise<void> = Promise.resolve();
    let busy = false;
    // The held-scans row: written only while it matters (see persistHeld), one write at a time.
    let heldWrite: Promise<void> = Promise.resolve();
    let heldQueued = false;
    let heldStored = false;

    const ctx = () => {
      const op = get().operator;
      if (op === null) throw new Error("nobody is signed in");
      return { dockId: deps.dockId, operatorId: op.operatorId, now: new Date(deps.now()), clockOffsetMs: deps.clockOffsetMs() };
    };
    const event = <T extends DockEventType>(type: T, payload: PayloadOf<T>) => makeEvent(type, payload, ctx());

    // The reconciler indexes every cached booking (hub of another booking, GPF IDs). It is
    // built from the very objects the booking list holds, freshly loaded, so the 300,000
    // cached hubs are in memory once, not once for the list and again for the index.
    const otherBookings = async (): Promise<Booking[]> => {
      await get().loadBookings();
      return get().bookings.map((b) => b.booking);
    };

    const initFor = async (booking: Booking) => ({ booking, otherBookings: await otherBookings(), site: deps.site, limits: deps.limits });

    const actionsOf = (events: DockEvent[]): ReceiptAction[] => {
      const out: ReceiptAction[] = [];
      for (const e of events) {
        if (e.type === "scan.recorded") out.push({ type: "scan", scanId: e.id, scan: parseScan(e.payload.raw), at: e.at });
        else if (e.type === "scan.undone") out.push({ type: "undo", scanId: e.payload.scanEventId, reason: e.payload.reason, at: e.at });
      }
      return out;
    };

    /**
     * The summary (counts, missing lists) walks the whole booking and every live scan. A scan
     * with more scans already queued behind it (a backlog after a stall) leaves it to the last
     * of them, so a backlog clears at the speed of the commits; `summaryStale` says one is owed.
     */
    let summaryStale = false;
    const publish = (reconcile: ReceiptState, receipt: ReceiptRow) => {
      summaryStale = false;
      set({ reconcile, receipt, summary: summarize(reconcile), next: expecting(reconcile) });
    };
    const catchUpSummary = () => {
      const r = get().reconcile;
      if (summaryStale && r !== null) set({ summary: summarize(r) });
      summaryStale = false;
    };

    /** Records events durably; `receipt` only when the receipt row itself changes (never for a scan or undo: the counts come from the log). */
    const save = async (events: DockEvent[], receipt: ReceiptRow | null, change: ProjectionChange = {}) => {
      await recordEvents(deps.db, events, receipt === null ? change : { ...change, receipt: { ...receipt, updatedAt: deps.now() } });
      deps.onRecorded(events.length);
    };

    const show = (v: ShownVerdict) => {
      set((s) => ({ lastVerdict: v, pendingError: v.class === "error" ? v : s.pendingError, recent: [v, ...s.recent].slice(0, 12) }));
      deps.sound.signal(v.class);
    };

    /** One scan: judge, commit to IndexedDB, and only then show and sound the verdict. */
    const processScan = async (q: QueuedScan): Promise<void> => {
      measureScan("scan.queued", q);
      const { receipt, reconcile } = get();
      if (receipt === null || reconcile === null) return;
      const raw = clipRaw(q.raw);
      const parsed = parseScan(raw);
      const before = expecting(reconcile);
      // The event's id and instant first (the reconciler keys the scan by them), then the
      // event itself once the verdict is known: built and validated once.
      const at = ctx();
      const id = q.readId ?? newEventId(at.now);
      const result = reduce(reconcile, { type: "scan", scanId: id, scan: parsed, at: at.now.toISOString() });
      const v = result.verdict;
      const other = /belongs to booking ([A-Z0-9-]{4,20})/.exec(v.reason)?.[1] ?? null;
      const recorded = makeEvent(
        "scan.recorded",
        {
          bookingRef: receipt.bookingRef, source: q.source, raw, kind: parsed.kind, verdict: eventVerdictFor(v.code),
          palletSscc: before.kind === "booking-or-pallet" ? null : before.palletSscc,
          cartonSscc: before.kind === "hub" ? before.cartonSscc : null,
          deviceId: parsed.kind === "hub" ? parsed.deviceId : null,
          sscc: parsed.kind === "pallet" || parsed.kind === "carton" ? parsed.sscc : null,
          otherBookingRef: v.code.endsWith("other-booking") ? other : null, reason: v.reason.slice(0, 500),
        },
        { ...at, id },
      );
      const hub: ProjectionChange["hub"] = parsed.kind === "hub" && v.code !== "wrong-kind" && v.code !== "hub-duplicate" && v.code !== "hub-wrong-device-type"
        ? { deviceId: parsed.deviceId, state: v.code === "hub-expected" ? "received" : "refused" }
        : undefined;
      try {
        await recordEvents(deps.db, [recorded], hub ? { hub } : {});
      } catch (e) {
        // Not stored, so not confirmed: say so as an error the operator must acknowledge.
        show({ code: "unreadable", class: "error", reason: `NOT RECORDED - scan it again. The dock could not store this scan (${e instanceof Error ? e.message : String(e)}).`, subject: null, raw, at: deps.now(), scanId: null });
        catchUpSummary();
        return;
      }
      measureScan("scan.durable", q);
      // Verdict and sound first, then the counts: all of it reaches the screen in one render
      // (React renders once this synchronous block is done), but the beep need not wait for the summary.
      set({ reconcile: result.state, next: expecting(result.state) });
      show({ code: v.code, class: v.class, reason: v.reason, subject: v.subject, raw, at: deps.now(), scanId: recorded.id });
      measureScan("scan.verdict", q);
      summaryStale = true;
      if (get().queue.length === 0 || get().pendingError !== null) catchUpSummary();
      // The sync client (and the unsent count on screen) hears of it in the same breath, so
      // the health bar and the verdict are one render, after the beep rather than before it.
      deps.onRecorded(1);
    };

    /**
     * Stores the error on screen and the scans held behind it. Rewriting the whole queue on
     * every scan cost a write per scan growing with the backlog, so the row is written only
     * while an error is pending, and then until the scans held behind it are all processed;
     * once nothing is held it is deleted. Calls coalesce: one write in flight, the next one
     * writes the state as it is then. (A scan queued behind a scan being judged, with no
     * error on screen, has had no verdict yet and is not written.)
     */
    const persistHeld = () => {
      if (get().receipt === null) return;
      if (get().pendingError === null && !heldStored) return;
      if (heldQueued) return;
      heldQueued = true;
      heldWrite = heldWrite.then(async () => {
        heldQueued = false;
        const { receipt, pendingError, queue } = get();
        if (receipt === null) return;
        const keep = pendingError !== null || (heldStored && queue.length > 0);
        // Set before the write: a call meanwhile must know a row is (about to be) stored.
        heldStored = keep;
        const row: HeldRow = { bookingRef: receipt.bookingRef, pendingError, queue };
        try {
          if (keep) await deps.db.meta.put({ key: HELD_KEY, value: row });
          else await deps.db.meta.delete(HELD_KEY);
        } catch {
          // As before: the screen still holds the scans; a failed write here must not stop scanning.
        }
      });
    };

    const drain = async () => {
      if (busy) return;
      busy = true;
      try {
        while (get().pendingError === null && get().queue.length > 0) {
          const [head, ...rest] = get().queue;
          set({ queue: rest });
          if (head) await processScan(head);
          persistHeld();
        }
      } finally {
        busy = false;
      }
    };
    const kick = () => {
      draining = draining.then(drain, drain);
    };

    const updateReceipt = async (patch: Partial<ReceiptRow>, events: DockEvent[]) => {
      const r = get().receipt;
      if (r === null) return;
      const next = { ...r, ...patch };
      await save(events, next);
      set({ receipt: next, receiptMessage: null });
    };

    return {
      receipt: null,
      reconcile: null,
      summary: null,
      next: null,
      lastVerdict: null,
      pendingError: null,
      queue: [],
      recent: [],
      receiptMessage: null,

      async openReceipt(bookingRef) {
        const row = await deps.db.receipts.get(bookingRef);
        let receipt: ReceiptRow;
        if (row !== undefined) receipt = row;
        else {
          const cached = await deps.db.bookings.get(bookingRef);
          if (cached === undefined) return set({ receiptMessage: `Booking ${bookingRef} is not known at this dock; pull bookings first.` });
          receipt = {
            bookingRef, status: "open", booking: cached.booking, arrivedAt: null, late: false, reportedEta: null, unloader: null,
            unloadingStartedAt: null, unloadingStartedEventId: null, unloadingCompletedAt: null, unloadingCompletedEventId: null,
            liabilityAt: null, liabilityRule: null, amendment: null, outcome: null, updatedAt: deps.now(),
          };
          await deps.db.receipts.put(receipt);
        }
        // The log is the truth: rebuild the reconciler state from this booking's scans and undos.
        const state = replay(await initFor(receipt.booking), actionsOf(await bookingEvents(deps.db, bookingRef)));
        await deps.db.meta.put({ key: ACTIVE_KEY, value: bookingRef });
        const held = (await deps.db.meta.get(HELD_KEY))?.value as HeldRow | undefined;
        const mine = held !== undefined && held.bookingRef === bookingRef;
        heldStored = held !== undefined;
        // The last scans' verdicts, rebuilt from the log, so the screen looks as it did.
        const recent: ShownVerdict[] = liveScans(state)
          .slice(-12)
          .reverse()
          .map((l) => ({ code: l.verdict.code, class: l.verdict.class, reason: l.verdict.reason, subject: l.verdict.subject, raw: l.scan.raw, at: Date.parse(l.at), scanId: l.scanId }));
        set({ lastVerdict: recent[0] ?? null, pendingError: mine ? held.pendingError : null, queue: mine ? held.queue : [], recent, receiptMessage: null, screen: "receipt" });
        publish(state, receipt);
        kick();
      },

      leaveReceipt() {
        set({ receipt: null, reconcile: null, summary: null, next: null, lastVerdict: null, pendingError: null, queue: [], recent: [], screen: "bookings" });
        void deps.db.meta.delete(ACTIVE_KEY);
        void get().loadBookings();
      },

      async recordArrival(late, reportedEta) {
        const r = get().receipt;
        if (r === null) return;
        if (late && (reportedEta === null || Number.isNaN(Date.parse(reportedEta)))) return set({ receiptMessage: "A late arrival needs the ETA the carrier reported." });
        const e = event("booking.arrived", { bookingRef: r.bookingRef, late, reportedEta: late ? new Date(reportedEta as string).toISOString() : null });
        await updateReceipt({ arrivedAt: e.at, late, reportedEta: e.payload.reportedEta }, [e]);
      },

      async setUnloader(unloader) {
        const r = get().receipt;
        if (r === null || r.unloadingStartedAt !== null) return;
        const next = { ...r, unloader };
        // Shown at once (a radio button must not lag), then stored.
        set({ receipt: next });
        await deps.db.receipts.put(next);
      },

      async startUnloading() {
        const r = get().receipt;
        if (r === null) return;
        if (r.arrivedAt === null) return set({ receiptMessage: "Record the arrival first." });
        if (r.unloader === null) return set({ receiptMessage: "Say who unloads first: the dock or the Party's carrier." });
        if (r.unloadingStartedAt !== null) return;
        const started = event("unloading.started", { direction: "inbound", bookingRef: r.bookingRef, unloader: r.unloader });
        const events: DockEvent[] = [started];
        const patch: Partial<ReceiptRow> = { unloadingStartedAt: started.at, unloadingStartedEventId: started.id };
        const liability = deriveLiabilityTransfer({ direction: "inbound", unloader: r.unloader, startedAt: started.at, completedAt: null, operatorId: started.operatorId });
        if (liability.ok) {
          events.push(event("liability.transferred", { direction: "inbound", bookingRef: r.bookingRef, unloader: r.unloader, transferAt: liability.transferAt, ruleId: liability.ruleId, rule: liability.rule, from: liability.from, to: liability.to, startedAt: started.at, completedAt: null, startedEventId: started.id, completedEventId: null }));
          Object.assign(patch, { liabilityAt: liability.transferAt, liabilityRule: liability.rule });
        }
        await updateReceipt(patch, events);
      },

      async completeUnloading() {
        const r = get().receipt;
        if (r === null || r.unloader === null) return;
        if (r.unloadingStartedAt === null || r.unloadingStartedEventId === null) return set({ receiptMessage: "Unloading has not started." });
        if (r.unloadingCompletedAt !== null) return;
        const done = event("unloading.completed", { direction: "inbound", bookingRef: r.bookingRef, unloader: r.unloader });
        const events: DockEvent[] = [done];
        const patch: Partial<ReceiptRow> = { unloadingCompletedAt: done.at, unloadingCompletedEventId: done.id };
        const liability = deriveLiabilityTransfer({ direction: "inbound", unloader: r.unloader, startedAt: r.unloadingStartedAt, completedAt: done.at, operatorId: done.operatorId });
        if (!liability.ok) return set({ receiptMessage: `Liability cannot be derived: ${liability.message}` });
        if (r.liabilityAt === null) {
          events.push(event("liability.transferred", { direction: "inbound", bookingRef: r.bookingRef, unloader: r.unloader, transferAt: liability.transferAt, ruleId: liability.ruleId, rule: liability.rule, from: liability.from, to: liability.to, startedAt: r.unloadingStartedAt, completedAt: done.at, startedEventId: r.unloadingStartedEventId, completedEventId: done.id }));
          Object.assign(patch, { liabilityAt: liability.transferAt, liabilityRule: liability.rule });
        }
        await updateReceipt(patch, events);
      },

      submitScan(raw, source, readId) {
        if (get().receipt === null || get().receipt?.status !== "open") return;
        const q: QueuedScan = readId === undefined ? { raw, source } : { raw, source, readId };
        receivedAt.set(q, performance.now());
        set((s) => ({ queue: [...s.queue, q] }));
        persistHeld();
        kick();
      },

      acknowledge() {
        if (get().pendingError === null) return;
        set({ pendingError: null });
        persistHeld();
        kick();
      },

      async undoLast(reason) {
        const { receipt, reconcile } = get();
        if (receipt === null || reconcile === null) return;
        // Public API only (the reconciler's state is opaque); undo is rare, so O(scans) is fine.
        const last = liveScans(reconcile).at(-1);
        if (last === undefined) return set({ receiptMessage: "There is no scan to undo." });
        const probe = reduce(reconcile, { type: "undo", scanId: last.scanId, reason });
        if (probe.verdict.code === "undo-refused") return set({ receiptMessage: probe.verdict.reason });
        const e = event("scan.undone", { bookingRef: receipt.bookingRef, scanEventId: last.scanId, reason: reason.trim().slice(0, 500) });
        const hub = last.scan.kind === "hub" ? { deviceId: last.scan.deviceId, remove: true as const } : undefined;
        await save([e], null, hub ? { hub } : {});
        publish(probe.state, receipt);
        show({ code: "undone", class: "ok", reason: probe.verdict.reason, subject: probe.verdict.subject, raw: "", at: deps.now(), scanId: null });
      },

      async closeReceipt(input) {
        await get().settled();
        const r = get().receipt;
        if (r === null) return;
        if (get().pendingError !== null) return set({ receiptMessage: "Acknowledge the error on screen before closing." });
        const payload = {
          bookingRef: r.bookingRef, outcome: input.outcome, rejectedHubs: input.outcome === "partial" ? input.rejectedHubs : [],
          rejectionReason: input.outcome === "rejected" ? input.rejectionReason : null,
          packagingNotes: input.packagingNotes?.trim() || null, damageNotes: input.damageNotes?.trim() || null,
        };
        let e: DockEvent;
        try {
          e = event("receipt.closed", payload);
        } catch (err) {
          return set({ receiptMessage: err instanceof Error ? err.message.replace(/^invalid receipt.closed event: /, "Cannot close: ") : String(err) });
        }
        await updateReceipt({ status: "closed", outcome: input.outcome }, [e]);
        get().leaveReceipt();
      },

      async acceptAmendment() {
        const r = get().receipt;
        if (r === null || r.amendment === null) return;
        const a = r.amendment;
        const e = event("amendment.acknowledged", {
          bookingRef: r.bookingRef, manifestId: null, bookingVersion: a.version, fields: amendedFields(r.booking, a),
          deliveryDate: a.deliveryDate, windowStart: a.deliveryWindow.start, windowEnd: a.deliveryWindow.end, withinWorkingHours: null, note: null,
        });
        const next: ReceiptRow = { ...r, booking: a, amendment: null };
        await save([e], next);
        const state = replay(await initFor(a), actionsOf(await bookingEvents(deps.db, r.bookingRef)));
        publish(state, next);
      },

      async refreshReceipt() {
        const r = get().receipt;
        if (r === null) return;
        const row = await deps.db.receipts.get(r.bookingRef);
        if (row && row.amendment !== null && (r.amendment === null || row.amendment.version > r.amendment.version)) set({ receipt: { ...r, amendment: row.amendment } });
      },

      settled() {
        return draining.then(() => (get().queue.length > 0 && get().pendingError === null ? get().settled() : heldWrite));
      },
    };
  };
