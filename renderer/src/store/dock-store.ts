import { createStore } from "zustand/vanilla";
import { createBookingsSlice } from "../receiving/bookings-slice";
import { createJigSlice } from "../jig/jig-slice";
import type { DockDeps } from "./dock-deps";
import { createReceiptSlice } from "../receiving/receipt-slice";
import { createScannerSlice } from "../scanning/scanner-slice";
import { createSessionSlice } from "../session/session-slice";
import { createSyncSlice } from "../shell/sync-slice";
import { createSupervisorSlice } from "../supervisor/supervisor-slice";
import { createUiSlice } from "../shell/ui-slice";
import type { All, DockStore } from "./slice-types";

export type { All, DockStore };

/** Builds the store with its dependencies; a vanilla store so tests use it without React. */
export function createDockStore(deps: DockDeps): DockStore {
  return createStore<All>()((...a) => ({
    ...createSessionSlice(deps)(...a),
    ...createBookingsSlice(deps)(...a),
    ...createReceiptSlice(deps)(...a),
    ...createSyncSlice(deps)(...a),
    ...createScannerSlice(deps)(...a),
    ...createUiSlice(...a),
    ...createSupervisorSlice(deps)(...a),
    ...createJigSlice(deps)(...a),
  }));
}
