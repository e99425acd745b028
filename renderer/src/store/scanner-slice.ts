import type { StateCreator } from "zustand";
import { DEFAULT_WEDGE_CONFIG, type WedgeConfig } from "../scanning/wedge-reader";
import type { DockDeps } from "./dock-deps";
import type { All, ScannerSlice } from "./slice-types";


const WEDGE_KEY = "scanner.wedge";

/** Scanner settings (wedge thresholds, prefix, suffix) kept per dock PC, and the camera panel. */
export const createScannerSlice =
  (deps: DockDeps): StateCreator<All, [], [], ScannerSlice> =>
  (set) => ({
    wedgeConfig: DEFAULT_WEDGE_CONFIG,
    cameraOpen: false,
    wedgeOverride: null,
    setWedgeOverride: (config) => set({ wedgeOverride: config }),
    async setWedgeConfig(config) {
      await deps.db.meta.put({ key: WEDGE_KEY, value: config });
      set({ wedgeConfig: config });
    },
    setCameraOpen: (open) => set({ cameraOpen: open }),
    async loadScannerSettings() {
      const row = await deps.db.meta.get(WEDGE_KEY);
      const v = row?.value as WedgeConfig | undefined;
      if (v && typeof v.maxInterKeyMs === "number" && Array.isArray(v.suffixes)) set({ wedgeConfig: { ...DEFAULT_WEDGE_CONFIG, ...v } });
    },
  });
