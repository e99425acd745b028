import type { StateCreator } from "zustand";
import type { DockBridge, SlotViewMessage } from "../../../shared/bridge/channels";
import { decideJigHub, decideJigScan } from "../../../shared/domain/jig-slot-decision";
import { decideFlashOverride } from "../../../shared/domain/flash-override";
import { decideManualFaultReport, readManualFaultReportForm } from "../../../shared/domain/manual-fault-report";
import { DockLog } from "../db/dock-log";
import { metaKey, readMeta, writeMeta } from "../db/dock-meta";
import { drainJournal } from "./journal-drain";
import { findReceivedHub } from "./received-hub";
import { JigLedger } from "./jig-ledger";
import { formatSlotCode } from "../../../shared/domain/slot-code";
import type { DockDeps } from "../store/dock-deps";
import type { All, JigNotice, JigSlice } from "../store/slice-types";

/**
 * The jig station: the slots the host reports (jig.slot events), the technician's
 * scan-a-hub-then-its-slot flow (either order) and the host journal's results moving into
 * the event log (../jig/journal-drain.ts), on start-up, on every journal.changed, and when
 * an operator signs in (results wait for someone to stamp them with).
 */

/** Who loaded each hub (Device ID → operator), so its results are stamped with them after a reload. */
const LOADED_BY_KEY = metaKey<Record<string, string>>("jig.loadedBy");

const slotKey = (v: { jigId: string; slot: number }) => `${v.jigId}#${v.slot}`;

export const createJigSlice =
  (deps: DockDeps): StateCreator<All, [], [], JigSlice> =>
  (set, get, api) => {
    let bridge: DockBridge | null = null;
    let offs: Array<() => void> = [];
    /** Who loaded each hub: its results are stamped with that operator, also after a reload. */
    let loadedBy: Record<string, string> = {};
    let draining: Promise<void> | null = null;
    let drainAgain = false;

    const notice = (tone: JigNotice["tone"], text: string) => set({ jigNotice: { tone, text, at: deps.now() } });
    /** A refusal: the blocking screen until acknowledged, the notice saying the same. */
    const refuse = (text: string, raw = "") =>
      set({ jigNotice: { tone: "error", text, at: deps.now() }, jigRefusal: { reason: text, raw } });
    /** Scans that came while a refusal covered the screen: taken in order once it is acknowledged. */
    let held: string[] = [];
    /** A supervisor's override for one hub, passed with its next load. */
    let granted: { deviceId: string; supervisorId: string; reason: string } | null = null;
    const jigIds = () => [...new Set(get().jigSlots.map((s) => s.jigId))].sort();
    const codeOf = (jigId: string, slot: number) => {
      const i = jigIds().indexOf(jigId);
      return i < 0 ? `${jigId} slot ${slot + 1}` : formatSlotCode({ jigIndex: i, slot });
    };
    const log = new DockLog(deps);

    function upsertSlot(view: SlotViewMessage): void {
      const slots = get().jigSlots;
      const i = slots.findIndex((s) => slotKey(s) === slotKey(view));
      const next =
        i < 0
          ? [...slots, view].sort((a, b) => a.jigId.localeCompare(b.jigId) || a.slot - b.slot)
          : slots.map((s, j) => (j === i ? view : s));
      set({ jigSlots: next });
      // "X loaded into A1: flashing" is stale once A1 has finished: the slot says what happened now.
      const n = get().jigNotice;
      if (
        n !== null &&
        n.tone !== "error" &&
        view.deviceId !== null &&
        (view.phase === "flashed" || view.phase === "failed") &&
        n.text.startsWith(`${view.deviceId} loaded into `)
      )
        set({ jigNotice: null });
    }

    async function load(
      hub: NonNullable<JigSlice["jigPendingHub"]>,
      target: { jigId: string; slot: number },
    ): Promise<void> {
      const op = get().operator;
      set({ jigPendingHub: null, jigPendingSlot: null });
      if (bridge === null || op === null)
        return refuse("No jig station is connected to this dock app: start it from the dock computer, then try again.");
      const override =
        granted !== null && granted.deviceId === hub.deviceId
          ? { supervisorId: granted.supervisorId, reason: granted.reason }
          : undefined;
      const code = codeOf(target.jigId, target.slot);
      let r;
      try {
        r = await bridge.invoke("jig.load", {
          jigId: target.jigId,
          slot: target.slot,
          deviceId: hub.deviceId,
          operatorId: op.operatorId,
          booked: { hub: hub.hub, bookingRef: hub.bookingRef },
          ...(override ? { override } : {}),
        });
      } catch (e) {
        return refuse(
          `Could not load ${hub.deviceId} into ${code}: ${e instanceof Error ? e.message : String(e)}. Scan the hub and the slot again.`,
        );
      }
      if (!r.ok) return refuse(`${hub.deviceId} not loaded into ${code}: ${r.reason}.`);
      if (override) granted = null;
      loadedBy = { ...loadedBy, [r.deviceId]: op.operatorId };
      await writeMeta(deps.db, LOADED_BY_KEY, loadedBy);
      await log.record([
        log.event("slot.loaded", { jigId: target.jigId, slot: target.slot, deviceId: r.deviceId }, op.operatorId),
      ]);
      notice("ok", `${r.deviceId} loaded into ${code}: flashing to ${r.toVersion}.`);
    }

    /** The log's flash results and fault reports, read as it grows (jig-ledger.ts). */
    const ledger = new JigLedger(deps.db);
    const lastFlashedTo = (deviceId: string) => ledger.lastFlashedTo(deviceId);
    const reportedAs = (deviceId: string) => ledger.reportedAs(deviceId);

    async function drainOnce(): Promise<void> {
      if (bridge === null) return;
      try {
        const r = await drainJournal(bridge, log, {
          dockId: deps.dockId,
          operatorFor: (deviceId) => loadedBy[deviceId] ?? get().operator?.operatorId ?? null,
          clockOffsetMs: deps.clockOffsetMs,
        });
        set({ jigDrainProblems: r.problems });
        if (r.stored > 0) await get().refreshJigToday();
      } catch (e) {
        // The entries stay in the host's journal; the next journal.changed or start-up tries again.
        set({
          jigDrainProblems: [`could not store the jig results yet: ${e instanceof Error ? e.message : String(e)}`],
        });
      }
    }

    // Results wait for an operator to stamp them: drain as soon as someone signs in.
    api.subscribe((now, before) => {
      if (now.operator !== null && before.operator === null) void get().drainJigJournal();
    });

    return {
      jigLink: "none",
      jigMessage: null,
      jigSlots: [],
      jigOffline: [],
      jigPendingHub: null,
      jigPendingSlot: null,
      jigNotice: null,
      jigToday: { flashed: 0, failed: 0, faults: [] },
      jigDrainProblems: [],

      async attachJigBridge(next) {
        for (const off of offs) off();
        offs = [];
        bridge = next;
        if (next === null) return set({ jigLink: "none", jigMessage: "This dock app runs without a host: no jigs." });
        set({ jigLink: "connecting" });
        const stored = await readMeta(deps.db, LOADED_BY_KEY);
        if (typeof stored === "object" && stored !== null) loadedBy = stored;
        offs.push(
          next.on("journal.changed", () => void get().drainJigJournal()),
          next.on("jig.slot", (view) => upsertSlot(view)),
          next.on("jig.status", ({ jigId, connected }) => {
            set({
              jigOffline: connected
                ? get().jigOffline.filter((j) => j !== jigId)
                : [...new Set([...get().jigOffline, jigId])],
            });
            // A jig that came back may have moved on while it was away.
            if (connected) void get().refreshJigSlots();
          }),
        );
        // Start-up: whatever the host journalled while no window was open is stored first.
        await get().drainJigJournal();
        await get().refreshJigToday();
        await get().refreshJigSlots();
      },

      async refreshJigSlots() {
        if (bridge === null) return;
        try {
          const { slots } = await bridge.invoke("jig.slots", {});
          set({
            jigSlots: [...slots].sort((a, b) => a.jigId.localeCompare(b.jigId) || a.slot - b.slot),
            jigLink: "ready",
            jigMessage: null,
          });
        } catch (e) {
          set({ jigLink: "unavailable", jigMessage: e instanceof Error ? e.message : String(e) });
        }
      },

      drainJigJournal() {
        if (draining !== null) {
          drainAgain = true;
          return draining;
        }
        draining = (async () => {
          do {
            drainAgain = false;
            await drainOnce();
          } while (drainAgain);
        })().finally(() => {
          draining = null;
        });
        return draining;
      },

      jigRefusal: null,
      jigHeld: 0,
      jigOverride: null,

      async submitJigScan(raw) {
        // A scan while the manual report form is open names the hub it is about (HID-POS, camera).
        const faultForm = get().jigFaultForm;
        if (faultForm !== null) return set({ jigFaultForm: { ...faultForm, hub: raw.trim() } });
        if (get().jigRefusal !== null) {
          held = [...held, raw];
          return set({ jigHeld: held.length });
        }
        const role = get().operator?.role ?? null;
        const station = () => ({
          jigIds: jigIds(),
          slots: get().jigSlots,
          pendingHub: get().jigPendingHub,
          pendingSlot: get().jigPendingSlot,
        });
        let decision = decideJigScan(station(), raw, role);
        if (decision.type === "look-up-hub") {
          const deviceId = decision.deviceId;
          const found = await findReceivedHub(deps.db, deviceId);
          const flashedTo = granted?.deviceId === deviceId ? null : await lastFlashedTo(deviceId);
          decision = decideJigHub(
            station(),
            found.ok ? { ok: true, hub: { deviceId, bookingRef: found.bookingRef, hub: found.hub } } : found,
            flashedTo,
            role,
          );
        }
        switch (decision.type) {
          case "load":
            return load(decision.hub, decision.target);
          case "unload":
            return get().unloadJigSlot(decision.target.jigId, decision.target.slot);
          case "choose-slot":
            set({ jigPendingSlot: decision.target });
            return notice(decision.verdict.tone, decision.verdict.text);
          case "choose-hub":
            set({ jigPendingHub: decision.hub });
            return notice(decision.verdict.tone, decision.verdict.text);
          case "already-flashed":
            set({
              jigPendingHub: null,
              jigOverride: { hub: decision.hub, flashedTo: decision.flashedTo, canOverride: decision.canOverride },
            });
            return refuse(decision.verdict.text, raw);
          case "refuse":
            if (decision.clear.hub) set({ jigPendingHub: null });
            if (decision.clear.slot) set({ jigPendingSlot: null });
            return refuse(decision.verdict.text, raw);
          case "look-up-hub":
            return;
        }
      },

      async acknowledgeJigRefusal() {
        set({ jigRefusal: null, jigNotice: null, jigHeld: 0 });
        const queue = held;
        held = [];
        for (const raw of queue) await get().submitJigScan(raw, "wedge");
      },

      async allowSecondFlash(reason) {
        const op = get().operator;
        const pending = get().jigOverride;
        const d = decideFlashOverride({
          role: op?.role ?? null,
          pending:
            pending === null
              ? null
              : { deviceId: pending.hub.deviceId, bookingRef: pending.hub.bookingRef, flashedTo: pending.flashedTo },
          reason,
        });
        if (!d.ok || op === null || pending === null) return d.ok ? "Sign in as a supervisor first." : d.reason;
        // The supervisor's decision is an event of its own (central audits it), stored before the second flash.
        await log.record([log.event("flash.override", d.payload, op.operatorId)]);
        granted = { deviceId: pending.hub.deviceId, supervisorId: op.operatorId, reason: d.payload.reason };
        set({ jigOverride: null, jigRefusal: null });
        const slot = get().jigPendingSlot;
        if (slot !== null) await load(pending.hub, slot);
        else {
          set({ jigPendingHub: pending.hub });
          notice(
            "info",
            `Second flash of ${pending.hub.deviceId} allowed: scan the slot it goes into, or type it (e.g. A1) and press Enter.`,
          );
        }
        return null;
      },

      jigFaultForm: null,

      openManualFaultReport(prefill) {
        set({
          jigFaultForm: { hub: prefill?.deviceId ?? "", jigId: prefill?.jigId ?? null, slot: prefill?.slot ?? null },
        });
      },

      closeManualFaultReport() {
        set({ jigFaultForm: null });
      },

      async fileManualFaultReport(form) {
        const op = get().operator;
        const read = readManualFaultReportForm(op?.role ?? null, form);
        if (!read.ok) return { field: read.field, reason: read.reason };
        if (bridge === null || op === null)
          return {
            field: "hub",
            reason: "No jig station is connected to this dock app: start it from the dock computer.",
          };
        const found = await findReceivedHub(deps.db, read.deviceId);
        const onSlot = get().jigSlots.find((v) => v.deviceId === read.deviceId) ?? null;
        const d = decideManualFaultReport(read, {
          received: found.ok ? { ok: true, bookingRef: found.bookingRef } : { ok: false, reason: found.reason },
          flashedTo: await lastFlashedTo(read.deviceId),
          reportedAs: await reportedAs(read.deviceId),
          slot: onSlot === null ? null : { jigId: onSlot.jigId, slot: onSlot.slot, phase: onSlot.phase },
        });
        if (!d.ok) return { field: d.field, reason: d.reason };
        let r;
        try {
          r = await bridge.invoke("jig.fault-report", {
            deviceId: d.report.deviceId,
            damage: d.report.damage,
            notes: d.report.notes,
            operatorId: op.operatorId,
            jigId: d.report.jigId,
            slot: d.report.slot,
          });
        } catch (e) {
          return {
            field: "hub",
            reason: `The report was not filed: ${e instanceof Error ? e.message : String(e)}. Try again.`,
          };
        }
        if (!r.ok) return { field: "hub", reason: `The report was not filed: ${r.reason}.` };
        // The report is stamped with whoever filed it, and stored in the log before the form closes.
        loadedBy = { ...loadedBy, [d.report.deviceId]: op.operatorId };
        await writeMeta(deps.db, LOADED_BY_KEY, loadedBy);
        await get().drainJigJournal();
        set({ jigFaultForm: null });
        notice(
          "ok",
          `Fault Analysis Report ${r.reference} filed for ${d.report.deviceId}: put the hub aside for the DCC's decision.`,
        );
        return null;
      },

      async unloadAllJigSlots() {
        const finished = get().jigSlots.filter((s) => s.phase === "flashed" || s.phase === "failed");
        for (const s of finished) await get().unloadJigSlot(s.jigId, s.slot);
        if (finished.length > 1) notice("info", `${finished.length} slots unloaded: take their hubs out.`);
      },

      async unloadJigSlot(jigId, slot) {
        if (bridge === null) return;
        const view = get().jigSlots.find((s) => s.jigId === jigId && s.slot === slot);
        const code = codeOf(jigId, slot);
        const r = await bridge
          .invoke("jig.unload", { jigId, slot })
          .catch((e: unknown) => ({ ok: false as const, reason: e instanceof Error ? e.message : String(e) }));
        if (!r.ok) return refuse(`${code} not unloaded: ${r.reason}.`);
        const op = get().operator;
        if (view?.deviceId && op !== null)
          await log.record([log.event("slot.unloaded", { jigId, slot, deviceId: view.deviceId }, op.operatorId)]);
        notice("info", `${code} unloaded${view?.deviceId ? `: ${view.deviceId} taken out (${view.phase})` : ""}.`);
      },

      async refreshJigToday() {
        const start = new Date(deps.now());
        start.setHours(0, 0, 0, 0);
        const since = start.getTime();
        set({ jigToday: await ledger.since(since) });
      },
    };
  };
