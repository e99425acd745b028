import type { StateCreator } from "zustand";
import { DEFAULT_WEDGE_CONFIG, type WedgeConfig } from "./wedge-reader";
import { metaKey, readMeta, writeMeta } from "../db/dock-meta";
import type { DockDeps } from "../store/dock-deps";
import type { All, CameraMode, ScannerSlice } from "../store/slice-types";

/** This dock PC's wedge settings (a stored value from an older version may lack newer fields). */
const WEDGE_KEY = metaKey<Partial<WedgeConfig>>("scanner.wedge");
/** The camera mode last chosen on this dock PC (a carton-face station keeps its overhead camera in that mode). */
const CAMERA_MODE_KEY = metaKey<CameraMode>("scanner.cameraMode");

/** Scanner settings (wedge thresholds, prefix, suffix) kept per dock PC, and the camera panel. */
export const createScannerSlice =
  (deps: DockDeps): StateCreator<All, [], [], ScannerSlice> =>
  (set) => ({
    wedgeConfig: DEFAULT_WEDGE_CONFIG,
    cameraOpen: false,
    wedgeOverride: null,
    setWedgeOverride: (config) => set({ wedgeOverride: config }),
    async setWedgeConfig(config) {
      await writeMeta(deps.db, WEDGE_KEY, config);
      set({ wedgeConfig: config });
    },
    setCameraOpen: (open) => set({ cameraOpen: open }),
    cameraMode: "single",
    async setCameraMode(mode) {
      set({ cameraMode: mode });
      await writeMeta(deps.db, CAMERA_MODE_KEY, mode);
    },
    async loadScannerSettings() {
      const v = await readMeta(deps.db, WEDGE_KEY);
      if (v && typeof v.maxInterKeyMs === "number" && Array.isArray(v.suffixes))
        set({ wedgeConfig: { ...DEFAULT_WEDGE_CONFIG, ...v } });
      const mode = await readMeta(deps.db, CAMERA_MODE_KEY);
      if (mode === "single" || mode === "carton-face") set({ cameraMode: mode });
    },
  });
