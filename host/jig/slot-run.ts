/**
 * What the jig service's parts share: a slot's view and run state, and the context the
 * flash attempt (./flash-attempt.ts) and crash recovery (./crash-recovery.ts) work through.
 * The service (./jig-service.ts) owns the state; these parts only reach it through the context.
 */
import type { FlashStep } from "../../shared/events";
import type { VerifiedImage } from "../../hardware/firmware/firmware-store";
import type { JigLink as JigDriver } from "../../hardware/jig/jig-link";
import type { FlashJournal, JournalItem } from "./flash-journal";
import type { RetryPolicy } from "./retry-policy";

export type SlotPhase = "empty" | "waiting-for-hub" | "flashing" | "waiting-for-jig" | "flashed" | "failed";

/** What the jig station screen shows for one slot. */
export interface SlotView {
  jigId: string;
  slot: number;
  phase: SlotPhase;
  deviceId: string | null;
  step: FlashStep | null;
  /** Programming progress as the jig reports it, 0-100. */
  percent: number;
  attempt: number;
  startedAt: string | null;
  /** Estimated time left from progress so far; null until there is progress. */
  etaMs: number | null;
  /** Why the slot failed, or what a flashed hub needs noticed (its image withdrawn since), in words for the technician. */
  reason: string | null;
  /** The hub did not answer at all: a person must file a manual fault report. */
  manualReportRequired: boolean;
}

export interface SlotRun {
  view: SlotView;
  bookedModel: string;
  /** The version the booking lists; the result's fromVersion if the hub never answered. */
  bookedVersion: string;
  /**
   * The image this load was for, fixed at load. Every attempt checks the catalogue again
   * and stops (`target-changed`) if it no longer names this image: a retry never sends a
   * withdrawn image and never picks another target by itself.
   */
  target: TargetImage;
  fromVersion: string | null;
  readBack: string | null;
  /** What went wrong in each failed attempt, for the Fault Analysis Report. */
  failures: string[];
  /** The hub answered read-identity at least once, so its faults can be analysed. */
  identified: boolean;
  seatedWaiters: Set<() => void>;
}

/** The image an attempt sends, as the journal names it. */
export interface TargetImage {
  version: string;
  sha256Hex: string;
}

export type Timings = Partial<Record<FlashStep, number>>;

/** Thrown inside a run when the service was killed (crash simulation): nothing more is written. */
export class Killed extends Error {}

export const slotKey = (jigId: string, slot: number) => `${jigId}#${slot}`;

export function emptySlotView(jigId: string, slot: number): SlotView {
  return {
    jigId,
    slot,
    phase: "empty",
    deviceId: null,
    step: null,
    percent: 0,
    attempt: 0,
    startedAt: null,
    etaMs: null,
    reason: null,
    manualReportRequired: false,
  };
}

/** What a flash attempt and crash recovery need from the service that owns the jigs and slots. */
export interface FlashContext {
  readonly policy: RetryPolicy;
  readonly commitIdleTimeoutMs: number;
  readonly seatTimeoutMs: number;
  now(): Date;
  /** The driver of an attached jig (connected or not). */
  driverFor(jigId: string): JigDriver | undefined;
  /** Waits for the slot's jig to re-attach; false when it does not within the limit. */
  waitForJig(run: SlotRun): Promise<boolean>;
  /** The verified image for `target` if the catalogue still names it for `model`; else why not. */
  checkTarget(model: string, target: TargetImage): { ok: true; image: VerifiedImage } | { ok: false; reason: string };
  /** This process started the attempt: recovery must never treat it as interrupted. */
  ownAttempt(attemptId: string): void;
  /** Shows the slot (nothing once killed). */
  publish(run: SlotRun): void;
  /** Throws Killed once the service was killed. */
  alive(): void;
  /** Journal write through the service, so a killed service writes nothing more. */
  append(record: Parameters<FlashJournal["append"]>[0]): Promise<void>;
  /** Journals a result or report, then announces it. */
  record(item: JournalItem): Promise<void>;
}

/** Why `target` is no longer what the catalogue sends to a hub of `model`, or null when it still is. */
export function targetChange(ctx: FlashContext, model: string, target: TargetImage): string | null {
  const checked = ctx.checkTarget(model, target);
  return checked.ok ? null : checked.reason;
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
