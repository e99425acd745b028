import type { StateCreator } from "zustand";
import type { All, SyncSlice } from "../store/slice-types";

/** Sync health as the sync client reports it; the panel only reads. */
export const createSyncSlice: StateCreator<All, [], [], SyncSlice> = (set) => ({
  syncHealth: null,
  browserOnline: true,
  setSyncHealth: (h) => set({ syncHealth: h }),
  setBrowserOnline: (online) => set({ browserOnline: online }),
});
