import { useContext, useEffect } from "react";
import { StoreContext } from "../store/store-context";

/**
 * Connects the jig station to the host bridge once the app is up, whatever screen shows:
 * the host journal's results are stored at start-up, not when someone opens the jig
 * screen. The bridge is the one main.tsx connected (`window.dock`, see renderer/bridge/).
 */
export function useJigLink(): void {
  const store = useContext(StoreContext);
  useEffect(() => {
    if (store === null) return;
    void store.getState().attachJigBridge(window.dock ?? null);
  }, [store]);
}
