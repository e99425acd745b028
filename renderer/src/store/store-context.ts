import { createContext, useContext } from "react";
import { useStore } from "zustand";
import type { All, DockStore } from "./slice-types";

/** The one store, handed down by context so tests can render with their own. */
export const StoreContext = createContext<DockStore | null>(null);

/** Selects one field (or derived value) of the dock store; re-renders only when it changes. */
export function useDock<T>(selector: (s: All) => T): T {
  const store = useContext(StoreContext);
  if (store === null) throw new Error("useDock outside <StoreContext.Provider>");
  return useStore(store, selector);
}
