import type { StateCreator } from "zustand";
import type { All, UiSlice } from "../store/slice-types";

/** Which screen is up, and the one message that stops everything (database upgraded elsewhere). */
export const createUiSlice: StateCreator<All, [], [], UiSlice> = (set) => ({
  screen: "bookings",
  blockedMessage: null,
  scanAnswer: null,
  showScreen: (screen) => set({ screen, scanAnswer: null }),
  answerScan: (text) => set({ scanAnswer: text }),
  block: (message) => set({ blockedMessage: message }),
});
