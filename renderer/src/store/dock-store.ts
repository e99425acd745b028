import { createStore, type StoreApi } from "zustand/vanilla";
import { createBookingsSlice } from "./bookings-slice";
import { createJigSlice } from "./jig-slice";
import type { DockDeps } from "./dock-deps";
import { createReceiptSlice } from "./receipt-slice";
import { createScannerSlice } from "./scanner-slice";
import { createSessionSlice } from "./session-slice";
import { createSyncSlice } from "./sync-slice";
import { createSupervisorSlice } from "./supervisor-slice";
import { createUiSlice } from "./ui-slice";

import type { All } from "./slice-types";

export type { All };

export type DockStore = StoreApi<All>;

/** Builds the store with its dependencies; a vanilla store so tests use it without React. */
export function createDockStore(deps: DockDeps): DockStore {
  return createStore<All>()((...a) => ({
    ...createSessionSlice(deps)(...a),
    ...createBookingsSlice(deps)(...a),
    ...createReceiptSlice(deps)(...a),
    ...createSyncSlice(...a),
    ...createScannerSlice(deps)(...a),
    ...createUiSlice(...a),
    ...createSupervisorSlice(deps)(...a),
    ...createJigSlice(deps)(...a),
  }));
}
