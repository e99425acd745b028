import type { StateCreator } from "zustand";
import type { All, UiSlice } from "../store/slice-types";

/** Which screen is up, and the one message that stops everything (database upgraded elsewhere). */
export const createUiSlice: StateCreator<All, [], [], UiSlice> = (set) => ({
  screen: "bookings",
  blockedMessage: null,
  showScreen: (screen) => set({ screen }),
  block: (message) => set({ blockedMessage: message }),
});
