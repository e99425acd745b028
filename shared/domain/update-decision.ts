/**
 * The dock's software update, as the operator sees it, and the one rule of when the app may
 * restart to install it. electron/updater.ts records the updater's steps in an `UpdateState`
 * and asks `updateDecision` before it ever calls quitAndInstall: an update never interrupts
 * a shift on its own; it installs when the app is closed, or when an operator chooses
 * "Restart to update" and no hub is being flashed.
 */

export type UpdateState =
  | { kind: "idle" }
  | { kind: "checking" }
  | { kind: "up-to-date"; checkedAt: string }
  | { kind: "downloading"; version: string; percent: number }
  | { kind: "downloaded"; version: string }
  | { kind: "failed"; reason: string; at: string };

export interface UpdateDecisionInput {
  state: UpdateState;
  /** An operator chose "Restart to update". */
  operatorAsked: boolean;
  /** Hubs on a jig whose flash is under way (a restart would abort them). */
  flashesUnderway: number;
}

export interface UpdateDecision {
  /** True only when the app may quit and install now. */
  restartNow: boolean;
  /** What to tell the operator, in plain words. */
  message: string;
}

const INSTALLS_ON_CLOSE = "It installs when Re-Flash Dock is closed";

function hubs(n: number): string {
  return n === 1 ? "1 hub is" : `${n} hubs are`;
}

export function updateDecision(input: UpdateDecisionInput): UpdateDecision {
  const { state, operatorAsked } = input;
  const underway = Math.max(0, Math.floor(input.flashesUnderway));
  if (state.kind === "downloaded") {
    if (!operatorAsked)
      return {
        restartNow: false,
        message: `Version ${state.version} is ready. ${INSTALLS_ON_CLOSE}, or choose Restart to update.`,
      };
    if (underway > 0)
      return {
        restartNow: false,
        message: `Version ${state.version} is ready, but ${hubs(underway)} still being flashed. Restart to update when the jigs are done. ${INSTALLS_ON_CLOSE}.`,
      };
    return { restartNow: true, message: `Restarting to install version ${state.version}.` };
  }
  const refusal = operatorAsked ? "No update is ready to install yet. " : "";
  switch (state.kind) {
    case "idle":
      return { restartNow: false, message: `${refusal}No update check has run yet.` };
    case "checking":
      return { restartNow: false, message: `${refusal}Checking for an update.` };
    case "up-to-date":
      return { restartNow: false, message: `${refusal}This is the latest version (checked ${state.checkedAt}).` };
    case "downloading":
      return {
        restartNow: false,
        message: `${refusal}Downloading version ${state.version} (${Math.round(state.percent)}%).`,
      };
    case "failed":
      return {
        restartNow: false,
        message: `${refusal}The last update check failed (${state.reason}); the dock keeps working and tries again later.`,
      };
  }
}
