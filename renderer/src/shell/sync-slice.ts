import type { StateCreator } from "zustand";
import { DEFAULT_UNSENT_ALARM_MS, watchOldestUnsent } from "../../../shared/domain/unsent-alarm";
import type { DockDeps } from "../store/dock-deps";
import type { All, SyncSlice } from "../store/slice-types";

/**
 * Sync health as the sync client reports it; the panel only reads. Each report also moves the
 * watch on the oldest unsent event (shared/domain/unsent-alarm.ts), from which the alarm banner decides.
 */
export const createSyncSlice =
  (deps: Pick<DockDeps, "now" | "unsentAlarmMs">): StateCreator<All, [], [], SyncSlice> =>
  (set) => ({
    syncHealth: null,
    browserOnline: true,
    unsentWatch: null,
    unsentAlarmMs: deps.unsentAlarmMs ?? DEFAULT_UNSENT_ALARM_MS,
    setSyncHealth: (h) => set((s) => ({ syncHealth: h, unsentWatch: watchOldestUnsent(s.unsentWatch, h, deps.now()) })),
    setBrowserOnline: (online) => set({ browserOnline: online }),
  });
