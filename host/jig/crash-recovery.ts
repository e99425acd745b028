/**
 * After a restart: resolves every attempt the journal shows in flight, by reading its
 * slot. A slot the jig finished programming is verified (the jig's SHA-256 against the
 * image the attempt sent) and read back, and what the hub holds is recorded, whatever the
 * catalogue says now (a version withdrawn meanwhile is recorded and flagged, never
 * dropped). A slot still holding the same hub mid-way is flashed again as the next
 * attempt if the catalogue still names the same image, else the attempt is closed. A slot
 * no longer holding that hub closes the attempt, so the hub can be loaded again. A slot
 * that cannot be read (jig gone, no answer) leaves the attempt open: the hub may have
 * been programmed, so it is judged when the slot can be read (a jig attaching, the next
 * `recover()`, a load of that hub) and loading the hub is refused until then.
 */
import type { FlashStep } from "../../shared/events";
import type { JigLink as JigDriver } from "../../hardware/jig/jig-link";
import { JigError } from "../../hardware/jig/jig-driver";
import type { AttemptStarted } from "./flash-journal";
import { finishRun, verifyAndReadBack, waitWhileProgramming } from "./flash-attempt";
import type { AttemptFailure } from "./retry-policy";
import {
  emptySlotView,
  Killed,
  slotKey,
  targetChange,
  type FlashContext,
  type SlotRun,
  type SlotView,
} from "./slot-run";

/** What `recover()` did with the attempts the journal showed in flight. */
export interface RecoverySummary {
  /** Finished by the jig while the host was down: verified and recorded, not flashed again. */
  recorded: number;
  /** Of `recorded`, hubs now holding an image the catalogue withdrew or replaced meanwhile: recorded as they are, with a notice. */
  flagged: number;
  /** Hub still in its slot, flash incomplete: flashing again as the next attempt. */
  resumed: number;
  /** Hub gone from its slot, or (flash incomplete) target changed: attempt closed, the hub may be loaded again. */
  closed: number;
  /** Jig not attached, slot busy or unreadable: the attempt stays open (the hub cannot be loaded) until its slot is read. */
  waiting: number;
  settled: Promise<void>;
}

/** What recovery needs from the service beyond a flash attempt's context. */
export interface RecoveryContext extends FlashContext {
  /** Attempts the journal shows in flight. */
  interrupted(): AttemptStarted[];
  isOwnAttempt(attemptId: string): boolean;
  /** Attempts being judged right now (by another `recover()` call). */
  readonly recovering: Set<string>;
  /** The jig's driver when it is attached and connected. */
  connectedDriver(jigId: string): JigDriver | undefined;
  readonly slots: Map<string, SlotRun>;
  emitSlot(view: SlotView): void;
  isKilled(): boolean;
  /** Starts the attempts loop on a slot (./flash-attempt.ts runSlot). */
  startRun(run: SlotRun, attemptsBefore: number): Promise<void>;
}

/** Judges every interrupted attempt whose slot can be read; resolves once each is judged or left waiting. */
export async function recoverInterrupted(ctx: RecoveryContext): Promise<RecoverySummary> {
  const summary = { recorded: 0, flagged: 0, resumed: 0, closed: 0, waiting: 0 };
  const runs: Array<Promise<void>> = [];
  for (const a of ctx.interrupted()) {
    if (ctx.isKilled()) break;
    if (ctx.isOwnAttempt(a.attemptId) || ctx.recovering.has(a.attemptId)) continue;
    const driver = ctx.connectedDriver(a.jigId);
    if (!driver || ctx.slots.has(slotKey(a.jigId, a.slot))) {
      summary.waiting++;
      continue;
    }
    ctx.recovering.add(a.attemptId);
    try {
      const judged = await recoverOne(ctx, a, driver, runs);
      if (judged === "flagged") summary.recorded++;
      summary[judged]++;
    } catch (error) {
      // A killed service stops judging; the attempts left stay in the journal for the next start.
      if (error instanceof Killed) break;
      throw error;
    } finally {
      ctx.recovering.delete(a.attemptId);
    }
  }
  return { ...summary, settled: Promise.all(runs).then(() => undefined) };
}

async function recoverOne(
  ctx: RecoveryContext,
  a: AttemptStarted,
  driver: JigDriver,
  runs: Array<Promise<void>>,
): Promise<"recorded" | "flagged" | "resumed" | "closed" | "waiting"> {
  // Through the service's append, so a killed service writes nothing more (as every other journal write).
  const close = async (reason: string) => {
    await ctx.append({ t: "attempt-closed", attemptId: a.attemptId, reason, at: ctx.now().toISOString() });
    return "closed" as const;
  };
  let identity;
  let status;
  try {
    status = await waitWhileProgramming(ctx, driver, a.slot, (await driver.slotStatus(a.slot)).state);
    identity = await driver.readIdentity(a.slot);
  } catch (error) {
    if (error instanceof Killed) throw error;
    // The jig said the slot is empty: the hub was taken out, so it may be loaded again.
    if (error instanceof JigError && error.status === "no-hub")
      return close(`after restart slot ${a.slot + 1} of ${a.jigId} is empty: ${a.deviceId} was taken out`);
    // Unplugged, no answer: the jig may have finished programming, so the outcome stays open.
    return "waiting";
  }
  if (identity.deviceId !== a.deviceId)
    return close(`after restart slot ${a.slot + 1} holds ${identity.deviceId}, not ${a.deviceId}`);
  // Still programming past the idle limit: nothing can be judged yet.
  if (status === "programming") return "waiting";
  const key = slotKey(a.jigId, a.slot);
  const run: SlotRun = {
    view: { ...emptySlotView(a.jigId, a.slot), phase: "flashing", deviceId: a.deviceId, attempt: a.attempt },
    bookedModel: a.model,
    bookedVersion: a.fromVersion,
    target: { version: a.toVersion, sha256Hex: a.imageSha256 },
    fromVersion: a.fromVersion,
    readBack: null,
    failures: [],
    identified: true,
    seatedWaiters: new Set(),
  };
  if (status === "programmed") {
    ctx.slots.set(key, run);
    ctx.publish(run);
    const timings: Partial<Record<FlashStep, number>> = {};
    let failure: AttemptFailure | null;
    try {
      failure = await verifyAndReadBack(ctx, run, driver, timings);
    } catch (error) {
      if (error instanceof Killed) throw error;
      // The slot stopped answering mid-check: still unknown, judged on the next read.
      ctx.slots.delete(key);
      ctx.emitSlot(emptySlotView(a.jigId, a.slot));
      return "waiting";
    }
    if (failure === null) {
      // Recorded against the image it holds, whatever the catalogue says now; finishRun flags a changed target.
      const notice = await finishRun(ctx, run, a.attempt, a.attemptId, timings, null);
      return notice === null ? "recorded" : "flagged";
    }
    run.failures.push(`attempt ${a.attempt}: ${failure.detail}`);
    const changedSince = targetChange(ctx, a.model, run.target);
    if (changedSince !== null) {
      // Programmed, but not with what was sent, and no retry may send that image again: record the failure as read.
      await finishRun(ctx, run, a.attempt, a.attemptId, timings, {
        ...failure,
        detail: `${failure.detail}; not retried: ${changedSince}`,
      });
      return "recorded";
    }
    ctx.slots.delete(key);
  }
  const changed = targetChange(ctx, a.model, run.target);
  if (changed !== null) {
    ctx.emitSlot(emptySlotView(a.jigId, a.slot));
    return close(`after restart the target image is no longer the one this attempt sent: ${changed}`);
  }
  ctx.slots.set(key, run);
  ctx.publish(run);
  await ctx.append({
    t: "attempt-closed",
    attemptId: a.attemptId,
    reason: "resumed after restart",
    at: ctx.now().toISOString(),
  });
  runs.push(ctx.startRun(run, a.attempt));
  return "resumed";
}
