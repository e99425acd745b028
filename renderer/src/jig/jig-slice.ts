import type { StateCreator } from "zustand";
import type { DockBridge, SlotViewMessage } from "../../../shared/bridge/channels";
import { decideJigHub, decideJigScan } from "../../../shared/domain/jig-slot-decision";
import { DockLog } from "../db/dock-log";
import { metaKey, readMeta, writeMeta } from "../db/dock-meta";
import { drainJournal } from "./journal-drain";
import { findReceivedHub } from "./received-hub";
import { formatSlotCode } from "../../../shared/domain/slot-code";
import type { DockDeps } from "../store/dock-deps";
import type { All, JigFaultLine, JigNotice, JigSlice } from "../store/slice-types";

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
    const jigIds = () => [...new Set(get().jigSlots.map((s) => s.jigId))].sort();
    const codeOf = (jigId: string, slot: number) => {
      const i = jigIds().indexOf(jigId);
      return i < 0 ? `${jigId} slot ${slot + 1}` : formatSlotCode({ jigIndex: i, slot });
    };
    const log = new DockLog(deps);

    function upsertSlot(view: SlotViewMessage): void {
      const slots = get().jigSlots;
      const i = slots.findIndex((s) => slotKey(s) === slotKey(view));
      const next = i < 0 ? [...slots, view].sort((a, b) => a.jigId.localeCompare(b.jigId) || a.slot - b.slot) : slots.map((s, j) => (j === i ? view : s));
      set({ jigSlots: next });
    }

    async function load(hub: NonNullable<JigSlice["jigPendingHub"]>, target: { jigId: string; slot: number }): Promise<void> {
      const op = get().operator;
      set({ jigPendingHub: null, jigPendingSlot: null });
      if (bridge === null || op === null) return notice("error", "No jig station is connected to this dock app.");
      const code = codeOf(target.jigId, target.slot);
      let r;
      try {
        r = await bridge.invoke("jig.load", { jigId: target.jigId, slot: target.slot, deviceId: hub.deviceId, operatorId: op.operatorId, booked: { hub: hub.hub, bookingRef: hub.bookingRef } });
      } catch (e) {
        return notice("error", `Could not load ${hub.deviceId} into ${code}: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (!r.ok) return notice("error", `${hub.deviceId} not loaded into ${code}: ${r.reason}`);
      loadedBy = { ...loadedBy, [r.deviceId]: op.operatorId };
      await writeMeta(deps.db, LOADED_BY_KEY, loadedBy);
      await log.record([log.event("slot.loaded", { jigId: target.jigId, slot: target.slot, deviceId: r.deviceId }, op.operatorId)]);
      notice("ok", `${r.deviceId} loaded into ${code}: flashing to ${r.toVersion}.`);
    }

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
        set({ jigDrainProblems: [`could not store the jig results yet: ${e instanceof Error ? e.message : String(e)}`] });
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
            set({ jigOffline: connected ? get().jigOffline.filter((j) => j !== jigId) : [...new Set([...get().jigOffline, jigId])] });
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
          set({ jigSlots: [...slots].sort((a, b) => a.jigId.localeCompare(b.jigId) || a.slot - b.slot), jigLink: "ready", jigMessage: null });
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

      async submitJigScan(raw) {
        const station = () => ({ jigIds: jigIds(), slots: get().jigSlots, pendingHub: get().jigPendingHub, pendingSlot: get().jigPendingSlot });
        let decision = decideJigScan(station(), raw);
        if (decision.type === "look-up-hub") {
          const found = await findReceivedHub(deps.db, decision.deviceId);
          decision = decideJigHub(station(), found.ok ? { ok: true, hub: { deviceId: decision.deviceId, bookingRef: found.bookingRef, hub: found.hub } } : found);
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
          case "refuse":
            if (decision.clear.hub) set({ jigPendingHub: null });
            if (decision.clear.slot) set({ jigPendingSlot: null });
            return notice(decision.verdict.tone, decision.verdict.text);
          case "look-up-hub":
            return;
        }
      },

      async unloadJigSlot(jigId, slot) {
        if (bridge === null) return;
        const view = get().jigSlots.find((s) => s.jigId === jigId && s.slot === slot);
        const code = codeOf(jigId, slot);
        const r = await bridge.invoke("jig.unload", { jigId, slot }).catch((e: unknown) => ({ ok: false as const, reason: e instanceof Error ? e.message : String(e) }));
        if (!r.ok) return notice("error", `${code} not unloaded: ${r.reason}`);
        const op = get().operator;
        if (view?.deviceId && op !== null) await log.record([log.event("slot.unloaded", { jigId, slot, deviceId: view.deviceId }, op.operatorId)]);
        notice("info", `${code} unloaded${view?.deviceId ? `: ${view.deviceId} taken out (${view.phase})` : ""}.`);
      },

      async refreshJigToday() {
        const start = new Date(deps.now());
        start.setHours(0, 0, 0, 0);
        const since = start.getTime();
        const rows = await deps.db.events.where("type").anyOf(["flash.result", "fault.reported"]).toArray();
        let flashed = 0;
        let failed = 0;
        const faults: JigFaultLine[] = [];
        for (const { event } of rows) {
          if (Date.parse(event.at) < since) continue;
          if (event.type === "flash.result") {
            if (event.payload.outcome === "flashed") flashed++;
            else failed++;
          } else if (event.type === "fault.reported") {
            const p = event.payload;
            faults.push({ eventId: event.id, deviceId: p.deviceId, jigId: p.jigId, slot: p.slot, step: p.step, jigSaid: p.jigSaid, notes: p.notes, disposition: p.disposition, manual: p.manual, at: event.at });
          }
        }
        set({ jigToday: { flashed, failed, faults: faults.sort((a, b) => b.at.localeCompare(a.at)) } });
      },
    };
  };
