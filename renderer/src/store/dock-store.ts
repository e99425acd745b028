import { createStore, type StoreApi } from "zustand/vanilla";
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

/**
 * The store's update, merging as zustand does but with a spread. zustand merges with
 * Object.assign({}, state, update), which builds the new state one key at a time: over the
 * dock's 111 keys, with values changing kind (null, then an object), V8 gives that object a
 * dictionary, so a scan's three updates allocated ~27 KiB (the renderer's largest garbage
 * after the summary, and so its major GCs, issue 22) and every selector read a hash lookup.
 * A spread clones the state's shape in one step and keeps it a fast object. Same meaning:
 * an update returning the state itself changes nothing and tells no listener.
 */
export function spreadMerge<T extends object>(replace: StoreApi<T>["setState"]): StoreApi<T>["setState"] {
  const merge = (partial: T | Partial<T> | ((s: T) => T | Partial<T>), whole?: boolean): void => {
    if (whole === true) return replace(partial as T | ((s: T) => T), true);
    replace((s) => {
      const next = typeof partial === "function" ? partial(s) : partial;
      return next === s ? s : { ...s, ...next };
    }, true);
  };
  return merge as StoreApi<T>["setState"];
}

/** Builds the store with its dependencies; a vanilla store so tests use it without React. */
export function createDockStore(deps: DockDeps): DockStore {
  return createStore<All>()((set, get, api) => {
    const merge = spreadMerge<All>(set);
    api.setState = merge;
    const a = [merge, get, api] as const;
    return {
      ...createSessionSlice(deps)(...a),
      ...createBookingsSlice(deps)(...a),
      ...createReceiptSlice(deps)(...a),
      ...createSyncSlice(deps)(...a),
      ...createScannerSlice(deps)(...a),
      ...createUiSlice(...a),
      ...createSupervisorSlice(deps)(...a),
      ...createJigSlice(deps)(...a),
    };
  });
}
