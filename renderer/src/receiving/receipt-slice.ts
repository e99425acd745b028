import type { StateCreator } from "zustand";
import { DEFAULT_SITE_TIME_ZONE } from "../../../shared/domain/site-clock";
import { scanNotStoredReason } from "../db/storage-error";
import type { Booking } from "../../../shared/domain/booking";
import type { ColumnCatalogue } from "../../../shared/domain/booking-columns";
import { afterCloseWords, closeFigures, outcomeWords } from "../../../shared/domain/receipt-close";
import {
  decideReceipt,
  receiptFromLog,
  scanCommand,
  type ReceiptCommand,
} from "../../../shared/domain/receipt-decision";
import { expecting, liveScans, summarize, type NextScan, type ReceiptState } from "../../../shared/domain/reconcile";
import { openedReceiptRow, receiptStatusRow, type ReceiptRow } from "../db/dock-db";
import { DockLog } from "../db/dock-log";
import { ACTIVE_RECEIPT, deleteMeta, metaKey, readMeta, writeMeta } from "../db/dock-meta";
import { bookingEvents } from "../db/record-event";
import { amendedFields } from "../../../shared/domain/booking-amendment";
import { createHeldQueue } from "../scanning/held-queue";
import type { DockDeps } from "../store/dock-deps";
import type { All, QueuedScan, ReceiptSlice, ShownVerdict } from "../store/slice-types";
import { listColumnCatalogue } from "./bookings-slice";

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
  // The instant is taken here; the entry is made once the scan's code yields (while IndexedDB
  // writes, or after the verdict), so the measuring is not itself on the path it measures.
  const end = performance.now();
  queueMicrotask(() => {
    performance.measure(name, { start, end });
    if (name === "scan.verdict" && ++measuredScans % 2000 === 0)
      for (const n of SCAN_MEASURES) performance.clearMeasures(n);
  });
}

interface HeldRow {
  bookingRef: string;
  pendingError: ShownVerdict | null;
  queue: QueuedScan[];
}
/** An unacknowledged error and the scans held behind it survive a reload or crash. */
const HELD_KEY = metaKey<HeldRow>("receipt.held");

/** The receipt on the dock: arrival, unloading, liability, guided scanning, undo, close. */
export const createReceiptSlice =
  (deps: DockDeps): StateCreator<All, [], [], ReceiptSlice> =>
  (set, get) => {
    const log = new DockLog(deps);
    // The held-scans row: written only while it matters (see persistHeld), one write at a time.
    let heldWrite: Promise<void> = Promise.resolve();
    let heldQueued = false;
    let heldStored = false;

    const stamp = () => {
      const op = get().operator;
      if (op === null) throw new Error("nobody is signed in");
      return log.stamp(op.operatorId);
    };

    // The reconciler looks up every cached booking (hub of another booking, GPF IDs) in the
    // columns the booking list holds, freshly loaded: 300,000 cached hubs as typed arrays,
    // never one object each (issue 22; shared/domain/booking-columns.ts).
    const otherBookings = async (): Promise<ColumnCatalogue> => {
      await get().loadBookings();
      return listColumnCatalogue(get().bookings);
    };

    const initFor = async (booking: Booking) => ({
      booking,
      otherBookings: await otherBookings(),
      site: deps.site,
      limits: deps.limits,
    });

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

    /** Shows and sounds a verdict; `alongside` joins the same store update (one pass of every screen's selectors). */
    const show = (v: ShownVerdict, alongside: Partial<Pick<All, "reconcile" | "next">> = {}) => {
      set((s) => ({
        ...alongside,
        lastVerdict: v,
        pendingError: v.class === "error" ? v : s.pendingError,
        recent: [v, ...s.recent].slice(0, 12),
      }));
      deps.sound.signal(v.class);
    };

    /** One scan: judge, commit to IndexedDB, and only then show and sound the verdict. */
    const processScan = async (q: QueuedScan): Promise<void> => {
      measureScan("scan.queued", q);
      const { receipt, reconcile } = get();
      if (receipt === null || reconcile === null) return;
      // A HID-POS read keeps the id the host gave it, so a read redelivered after a reload is stored once.
      const s = stamp();
      let next: NextScan;
      // The write opens, and the scanned hub's row is read, while the reconciler judges.
      const cmd = scanCommand(q.raw, q.source);
      const begun = log.begin(cmd.parsed.kind === "hub" ? [cmd.parsed.deviceId] : []);
      const decision = decideReceipt(receipt, reconcile, cmd, q.readId === undefined ? s : { ...s, id: q.readId });
      if (!decision.ok || decision.verdict === null) return;
      const v = decision.verdict;
      const raw = decision.events[0]?.type === "scan.recorded" ? decision.events[0].payload.raw : q.raw;
      try {
        // The sync client hears of it after the verdict (below), not here.
        const written = log.record(decision.events, {}, { notify: "later", begun });
        // The next prompt is worked out while the database writes (the thread is idle then), not after.
        next = expecting(decision.reconcile);
        await written;
      } catch (e) {
        // Not stored, so not confirmed: say so as an error the operator must acknowledge.
        show({
          code: "unreadable",
          class: "error",
          reason: scanNotStoredReason(e),
          subject: null,
          raw,
          at: deps.now(),
          scanId: null,
        });
        catchUpSummary();
        return;
      }
      measureScan("scan.durable", q);
      // Verdict and sound first, then the counts: all of it reaches the screen in one render
      // (React renders once this synchronous block is done), but the beep need not wait for the summary.
      show(
        { code: v.code, class: v.class, reason: v.reason, subject: v.subject, raw, at: deps.now(), scanId: v.scanId },
        { reconcile: decision.reconcile, next },
      );
      measureScan("scan.verdict", q);
      summaryStale = true;
      if (get().queue.length === 0 || get().pendingError !== null) catchUpSummary();
      // The sync client (and the unsent count on screen) hears of it in the same breath, so
      // the health bar and the verdict are one render, after the beep rather than before it.
      log.notify(1);
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
          if (keep) await writeMeta(deps.db, HELD_KEY, row);
          else await deleteMeta(deps.db, HELD_KEY);
        } catch {
          // As before: the screen still holds the scans; a failed write here must not stop scanning.
        }
      });
    };

    const held = createHeldQueue<QueuedScan>({
      items: () => get().queue,
      setItems: (queue) => set({ queue }),
      blocked: () => get().pendingError !== null,
      process: processScan,
      afterEach: persistHeld,
    });

    /** Decides a receipt command other than a scan, records it, and shows the refusal or the new receipt. */
    const command = async (cmd: ReceiptCommand): Promise<void> => {
      const { receipt: r, reconcile } = get();
      if (r === null || reconcile === null) return;
      const decision = decideReceipt(r, reconcile, cmd, stamp());
      if (!decision.ok) return set({ receiptMessage: decision.message });
      if (decision.record === null) {
        await log.record(decision.events);
        return;
      }
      const next: ReceiptRow = { ...r, ...decision.record };
      await log.record(decision.events, { receipt: next });
      // The bookings list's view of it too, so a scan there right after sees the arrival or the close.
      // The arrival's note ("say who unloads, then start unloading") goes once unloading has started.
      set((s) => ({
        receipt: next,
        receiptMessage: null,
        receiptNote: next.unloadingStartedAt === null ? s.receiptNote : null,
        receiptsByRef: { ...s.receiptsByRef, [next.bookingRef]: receiptStatusRow(next) },
      }));
    };

    return {
      siteTimeZone: deps.site.timeZone ?? DEFAULT_SITE_TIME_ZONE,
      receipt: null,
      reconcile: null,
      summary: null,
      next: null,
      lastVerdict: null,
      pendingError: null,
      queue: [],
      recent: [],
      receiptMessage: null,
      receiptNote: null,

      async openReceipt(bookingRef) {
        const row = await deps.db.receipts.get(bookingRef);
        let receipt: ReceiptRow;
        if (row !== undefined) receipt = row;
        else {
          const cached = await deps.db.bookings.get(bookingRef);
          if (cached === undefined)
            return set({ receiptMessage: `Booking ${bookingRef} is not known at this dock; pull bookings first.` });
          // PIA 6.2.2: a booking central blocks (Work Order not approved against a purchase order) is not started.
          if (cached.booking.workBlocked)
            return set({
              receiptMessage: `Booking ${bookingRef} cannot be received yet: ${cached.booking.workBlocked.replace(/[.\s]+$/, "")}. No arrival was recorded; ask the DCC desk, then scan the booking label again.`,
            });
          receipt = openedReceiptRow(cached.booking, deps.now());
          await deps.db.receipts.put(receipt);
        }
        // The log is the truth: rebuild the reconciler state from this booking's scans and undos.
        const state = receiptFromLog(await initFor(receipt.booking), await bookingEvents(deps.db, bookingRef));
        await writeMeta(deps.db, ACTIVE_RECEIPT, bookingRef);
        const stored = await readMeta(deps.db, HELD_KEY);
        const mine = stored !== undefined && stored.bookingRef === bookingRef;
        heldStored = stored !== undefined;
        // The last scans' verdicts, rebuilt from the log, so the screen looks as it did.
        const recent: ShownVerdict[] = liveScans(state)
          .slice(-12)
          .reverse()
          .map((l) => ({
            code: l.verdict.code,
            class: l.verdict.class,
            reason: l.verdict.reason,
            subject: l.verdict.subject,
            raw: l.scan.raw,
            at: Date.parse(l.at),
            scanId: l.scanId,
          }));
        set({
          lastVerdict: recent[0] ?? null,
          pendingError: mine ? stored.pendingError : null,
          queue: mine ? stored.queue : [],
          recent,
          receiptMessage: null,
          receiptNote: null,
          screen: "receipt",
        });
        publish(state, receipt);
        held.kick();
      },

      leaveReceipt() {
        set({
          receipt: null,
          reconcile: null,
          summary: null,
          next: null,
          lastVerdict: null,
          pendingError: null,
          queue: [],
          recent: [],
          screen: "bookings",
        });
        void deleteMeta(deps.db, ACTIVE_RECEIPT);
        void get().loadBookings();
      },

      async recordArrival(late, reportedEta) {
        await command({ type: "arrive", late, reportedEta });
      },

      async setUnloader(unloader) {
        const r = get().receipt;
        if (r === null || r.unloadingStartedAt !== null) return;
        const next = { ...r, unloader };
        // Shown at once (a radio button must not lag), then stored (no event: it is recorded with the start of unloading).
        set({ receipt: next });
        await log.record([], { receipt: next });
      },

      async startUnloading() {
        await command({ type: "start-unloading" });
      },

      async completeUnloading() {
        await command({ type: "complete-unloading" });
      },

      submitScan(raw, source, readId) {
        const r = get().receipt;
        if (r === null) return;
        if (r.status !== "open")
          return set({
            receiptMessage: `This receipt is closed (${outcomeWords(r.outcome)}): this scan was not recorded. For another delivery, go back to the bookings (F10) and scan its booking label.`,
          });
        const q: QueuedScan = readId === undefined ? { raw, source } : { raw, source, readId };
        receivedAt.set(q, performance.now());
        held.push(q);
        persistHeld();
      },

      acknowledge() {
        if (get().pendingError === null) return;
        set({ pendingError: null });
        persistHeld();
        held.kick();
      },

      async undoLast(reason, scanId) {
        const { receipt, reconcile } = get();
        if (receipt === null || reconcile === null) return "No receipt is open.";
        const cmd =
          scanId === undefined
            ? { type: "undo-last" as const, reason }
            : { type: "undo-last" as const, reason, scanId };
        const decision = decideReceipt(receipt, reconcile, cmd, stamp());
        if (!decision.ok) return decision.message;
        await log.record(decision.events);
        publish(decision.reconcile, receipt);
        const v = decision.verdict;
        if (v !== null)
          show({
            code: "undone",
            class: "ok",
            reason: v.reason,
            subject: v.subject,
            raw: "",
            at: deps.now(),
            scanId: null,
          });
        return null;
      },

      async closeReceipt(input) {
        await get().settled();
        const { receipt: r, reconcile } = get();
        if (r === null || reconcile === null) return "No receipt is open.";
        if (get().pendingError !== null) return "Acknowledge the error on screen (Esc) before closing.";
        const decision = decideReceipt(r, reconcile, { type: "close", ...input }, stamp());
        if (!decision.ok) return decision.message;
        const next: ReceiptRow = { ...r, ...decision.record };
        await log.record(decision.events, { receipt: next });
        const figures = closeFigures(reconcile);
        set((s) => ({
          receipt: next,
          receiptsByRef: { ...s.receiptsByRef, [next.bookingRef]: receiptStatusRow(next) },
        }));
        get().leaveReceipt();
        // The next step, on the bookings list the operator lands on.
        set({
          bookingsNotice: {
            tone: "info",
            text: afterCloseWords(
              next,
              input.outcome ?? "accepted",
              figures,
              input.outcome === "partial" ? input.rejectedHubs.length : 0,
            ),
          },
        });
        return null;
      },

      async acceptAmendment() {
        const r = get().receipt;
        if (r === null || r.amendment === null) return;
        const a = r.amendment;
        const e = log.event(
          "amendment.acknowledged",
          {
            bookingRef: r.bookingRef,
            manifestId: null,
            bookingVersion: a.version,
            fields: amendedFields(r.booking, a),
            deliveryDate: a.deliveryDate,
            windowStart: a.deliveryWindow.start,
            windowEnd: a.deliveryWindow.end,
            withinWorkingHours: null,
            note: null,
          },
          stamp().operatorId,
        );
        const next: ReceiptRow = { ...r, booking: a, amendment: null };
        await log.record([e], { receipt: next });
        const state = receiptFromLog(await initFor(a), await bookingEvents(deps.db, r.bookingRef));
        publish(state, next);
      },

      async refreshReceipt() {
        const r = get().receipt;
        if (r === null) return;
        const row = await deps.db.receipts.get(r.bookingRef);
        if (row && row.amendment !== null && (r.amendment === null || row.amendment.version > r.amendment.version))
          set({ receipt: { ...r, amendment: row.amendment } });
      },

      settled() {
        return held.settled().then(() => heldWrite);
      },
    };
  };
