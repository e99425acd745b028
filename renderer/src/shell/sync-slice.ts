import type { StateCreator } from "zustand";
import { DEFAULT_UNSENT_ALARM_MS, watchOldestUnsent } from "../../../shared/domain/unsent-alarm";
import type { DockDeps } from "../store/dock-deps";
import type { All, SyncSlice } from "../store/slice-types";

/**
 * Sync health as the sync client reports it; the panel only reads. Each report also moves the
 * watch on the oldest unsent event (shared/domain/unsent-alarm.ts), from which the alarm banner decides.
 */
export const createSyncSlice =
  (deps: Pick<DockDeps, "now" | "unsentAlarmMs" | "unsentWatchStore">): StateCreator<All, [], [], SyncSlice> =>
  (set, get) => ({
    syncHealth: null,
    browserOnline: true,
    unsentWatch: deps.unsentWatchStore?.load() ?? null,
    unsentAlarmMs: deps.unsentAlarmMs ?? DEFAULT_UNSENT_ALARM_MS,
    setSyncHealth: (h) => {
      const before = get().unsentWatch;
      const unsentWatch = watchOldestUnsent(before, h, deps.now());
      set({ syncHealth: h, unsentWatch });
      if (unsentWatch !== before) deps.unsentWatchStore?.save(unsentWatch);
    },
    setBrowserOnline: (online) => set({ browserOnline: online }),
  });
