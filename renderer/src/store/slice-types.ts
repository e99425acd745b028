import type { StoreApi } from "zustand/vanilla";
import type { DockBridge, SlotViewMessage } from "../../../shared/bridge/channels";
import type { BookedHub } from "../../../shared/domain/booking";
import type { Unloader } from "../../../shared/domain/liability";
import type {
  NextScan,
  ReceiptState,
  ReceiptSummary,
  VerdictClass,
  VerdictCode,
} from "../../../shared/domain/reconcile";
import type { FlashStep, OperatorRole, ScanSource } from "../../../shared/events";
import type { BookingListRow, ReceiptRow, ReceiptStatusRow } from "../db/dock-db";
import type { HubRejectionCode } from "../../../shared/domain/receipt-decision";
import type { WedgeConfig } from "../scanning/wedge-reader";
import type { SyncHealth } from "../sync/sync-client";
import type { OldestUnsentWatch } from "../../../shared/domain/unsent-alarm";
import type { SupervisorSlice } from "../supervisor/supervisor-types";

export type { SupervisorSlice };

/**
 * The shape of every slice of the dock store, in one types-only module: each slice's
 * creator is typed against `All` (zustand's slices pattern), and keeping the types here
 * keeps the slice modules free of import cycles.
 */

export interface Operator {
  operatorId: string;
  name: string;
  role: OperatorRole;
}

/** What the sign-in screen shows before anyone types: whether this dock can check PINs, and who is known. */
export interface SignInDirectory {
  /** False while the dock has never pulled its operators from central (nobody can sign in). */
  synced: boolean;
  operators: ReadonlyArray<{ operatorId: string; roles: readonly OperatorRole[] }>;
}

export interface SessionSlice {
  operator: Operator | null;
  sessionError: string | null;
  /** True while a PIN is being checked (the KDF takes a moment). */
  signingIn: boolean;
  signInDirectory: SignInDirectory | null;
  /** The sign-in screen's Operator ID field (typed, or filled by a badge scanned from any scanner). */
  signInId: string;
  setSignInId(id: string): void;
  /** Counts badge scans, so the screen moves to the PIN field after each. */
  badgeScans: number;
  /** A scan before sign-in that is a known operator's ID (their badge): fills the ID field. */
  scanBadge(operatorId: string): void;
  /** Reads who is known at this dock (after start, and whenever the sign-in screen shows). */
  loadSignInDirectory(): Promise<void>;
  /**
   * ID and PIN; `role` only when the operator has several (the screen offers theirs only). With
   * no PIN yet, a well-formed ID answers "need-pin" (the screen moves to the PIN field).
   */
  signIn(operatorId: string, pin: string, role?: OperatorRole): Promise<"signed-in" | "need-pin" | "refused">;
  signOut(): Promise<void>;
  /** Restores the operator signed in before a reload. */
  restoreSession(): Promise<void>;
}

export interface BookingsSlice {
  /** Summaries and hub columns, not whole Bookings (issue 22); a receipt reads its Booking when opened. */
  bookings: BookingListRow[];
  /** Each receipt's status at this dock, without the Booking its row holds. */
  receiptsByRef: Record<string, ReceiptStatusRow>;
  /** Reloads the cached bookings (pulled from central; available offline). */
  loadBookings(): Promise<void>;
  /** The answer to the last scan on the bookings list (a booking label or pallet SSCC opens its receipt instead). */
  bookingsNotice: { tone: "info" | "error"; text: string } | null;
  /** A scan on the bookings list, decided by shared/domain/bookings-scan-decision.ts. */
  submitBookingsScan(raw: string): Promise<void>;
}

/** A verdict as the operator sees it. */
export interface ShownVerdict {
  code: VerdictCode;
  class: VerdictClass;
  reason: string;
  subject: string | null;
  raw: string;
  at: number;
  /** The scan event's id (for undo). */
  scanId: string | null;
}

export interface QueuedScan {
  raw: string;
  source: ScanSource;
  /** A HID-POS read's id (host/scan-journal.ts): the scan event takes it, so a read delivered twice is stored once. */
  readId?: string;
}

export interface CloseInput {
  /** Chosen by the operator; null is refused (there is no default outcome). */
  outcome: "accepted" | "partial" | "rejected" | null;
  rejectedHubs: Array<{ deviceId: string; code: HubRejectionCode; reason: string }>;
  rejectionReason: string | null;
  packagingNotes: string | null;
  damageNotes: string | null;
}

export interface ReceiptSlice {
  /** The site's IANA time zone: late checks and dates shown are on its clock. */
  siteTimeZone: string;
  receipt: ReceiptRow | null;
  reconcile: ReceiptState | null;
  summary: ReceiptSummary | null;
  next: NextScan | null;
  lastVerdict: ShownVerdict | null;
  /** An error verdict stays here until acknowledged; scans meanwhile wait in `queue`. */
  pendingError: ShownVerdict | null;
  queue: QueuedScan[];
  recent: ShownVerdict[];
  receiptMessage: string | null;
  /** What a scan on the bookings list did on opening this receipt (arrival recorded, late, closed), in words. */
  receiptNote: string | null;
  openReceipt(bookingRef: string): Promise<void>;
  leaveReceipt(): void;
  recordArrival(late: boolean, reportedEta: string | null): Promise<void>;
  setUnloader(unloader: Unloader): Promise<void>;
  startUnloading(): Promise<void>;
  completeUnloading(): Promise<void>;
  /** Queues a scan from any source; it is processed in order, one durable write at a time. */
  submitScan(raw: string, source: ScanSource, readId?: string): void;
  /** The deliberate acknowledgement of an error (Escape or the button; never a scanner's Enter). */
  acknowledge(): void;
  /** Undoes the last counted scan, or the one picked (its scan id); returns the refusal in words, or null. */
  undoLast(reason: string, scanId?: string): Promise<string | null>;
  /** Closes the receipt and goes back to the bookings; returns the refusal in words (nothing recorded), or null. */
  closeReceipt(input: CloseInput): Promise<string | null>;
  acceptAmendment(): Promise<void>;
  /** Picks up an amendment the sync client stored for the open receipt. */
  refreshReceipt(): Promise<void>;
  /** Resolves when every queued scan has been processed (tests, and the close dialog). */
  settled(): Promise<void>;
}

export interface SyncSlice {
  syncHealth: SyncHealth | null;
  /** What the browser says about the network (navigator.onLine); central reachability is in syncHealth. */
  browserOnline: boolean;
  setSyncHealth(h: SyncHealth): void;
  setBrowserOnline(online: boolean): void;
  /** Which event is the oldest unsent one and since when it has not moved (the unsent-event alarm). */
  unsentWatch: OldestUnsentWatch | null;
  /** The alarm's threshold: the oldest unsent event unmoved this long raises it. */
  unsentAlarmMs: number;
}

export type CameraMode = "single" | "carton-face";

export interface ScannerSlice {
  wedgeConfig: WedgeConfig;
  cameraOpen: boolean;
  /** Set while the self-test runs: reads end on idle too, with no prefix, so a missing suffix is learnt. */
  wedgeOverride: WedgeConfig | null;
  setWedgeOverride(config: WedgeConfig | null): void;
  setWedgeConfig(config: WedgeConfig): Promise<void>;
  setCameraOpen(open: boolean): void;
  /** How the camera reads where whole cartons are received: one label, or every label of a carton face (kept per dock PC). */
  cameraMode: CameraMode;
  setCameraMode(mode: CameraMode): Promise<void>;
  loadScannerSettings(): Promise<void>;
}

/** A message the jig station keeps on screen until the next scan. */
export interface JigNotice {
  tone: "ok" | "info" | "error";
  text: string;
  at: number;
}

/** One Fault Analysis Report as the jig station lists it. */
export interface JigFaultLine {
  eventId: string;
  deviceId: string;
  jigId: string | null;
  slot: number | null;
  step: FlashStep | null;
  jigSaid: string | null;
  notes: string;
  disposition: "credit" | "scrap";
  manual: boolean;
  /** A manual report's damage found. */
  damage: string | null;
  at: string;
}

export interface JigSlice {
  /** "none": no host bridge; "unavailable": the host has no jig station. */
  jigLink: "none" | "connecting" | "ready" | "unavailable";
  jigMessage: string | null;
  jigSlots: SlotViewMessage[];
  /** Jigs the host reports disconnected. */
  jigOffline: string[];
  jigPendingHub: { deviceId: string; bookingRef: string; hub: BookedHub } | null;
  jigPendingSlot: { jigId: string; slot: number } | null;
  jigNotice: JigNotice | null;
  /** Results stored today (local day). */
  jigToday: { flashed: number; failed: number; faults: JigFaultLine[] };
  /** Journal entries that could not be stored yet, with why. */
  jigDrainProblems: string[];
  /** A refusal covering the station until acknowledged (Esc); scans meanwhile are held. */
  jigRefusal: { reason: string; raw: string } | null;
  jigHeld: number;
  /** A hub this dock flashed already, waiting for a supervisor's override (or to be put aside). */
  jigOverride: {
    hub: { deviceId: string; bookingRef: string; hub: BookedHub };
    flashedTo: string;
    canOverride: boolean;
  } | null;
  acknowledgeJigRefusal(): Promise<void>;
  /** A supervisor allows one more flash of the hub in `jigOverride`; returns a problem in words, or null. */
  allowSecondFlash(reason: string): Promise<string | null>;
  /** Takes every finished hub out (flashed or failed); slots still flashing are left alone. */
  unloadAllJigSlots(): Promise<void>;
  /** The manual Fault Analysis Report form, open (with what it was opened for) or null. */
  jigFaultForm: { hub: string; jigId: string | null; slot: number | null } | null;
  openManualFaultReport(prefill?: { deviceId: string; jigId: string | null; slot: number | null }): void;
  closeManualFaultReport(): void;
  /** Files a manual Fault Analysis Report through the host; returns the field at fault and why, or null once filed. */
  fileManualFaultReport(form: {
    hub: string;
    damage: string;
    notes: string;
  }): Promise<{ field: "hub" | "damage" | "notes" | "role"; reason: string } | null>;
  /** Connects the station to the host (subscribes, drains the journal, loads the slots). */
  attachJigBridge(bridge: DockBridge | null): Promise<void>;
  /** A hub ID or a slot code from any scan source or the keyboard. */
  submitJigScan(raw: string, source: ScanSource): Promise<void>;
  unloadJigSlot(jigId: string, slot: number): Promise<void>;
  /** Reloads every slot from the host (start-up, the screen opening, a jig coming back). */
  refreshJigSlots(): Promise<void>;
  /** Stores the host journal's results in the log, then acknowledges them; runs one at a time. */
  drainJigJournal(): Promise<void>;
  refreshJigToday(): Promise<void>;
}

export type Screen = "bookings" | "receipt" | "scanner-setup" | "supervisor" | "jig";

export interface UiSlice {
  screen: Screen;
  /** Set when another window upgraded the database: this one must reload. */
  blockedMessage: string | null;
  /** The answer to a scan on a screen that records none (sign-in, scanner set-up). */
  scanAnswer: string | null;
  showScreen(screen: Screen): void;
  answerScan(text: string): void;
  block(message: string): void;
}

/** The whole renderer state: one store built from typed slices. */
export type All = SessionSlice &
  BookingsSlice &
  ReceiptSlice &
  SyncSlice &
  ScannerSlice &
  UiSlice &
  SupervisorSlice &
  JigSlice;

/** The combined store (built by dock-store.ts); features type against this, never import the builder. */
export type DockStore = StoreApi<All>;
