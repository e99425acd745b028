/**
 * One hub in one slot, flashed: the attempts loop (retry policy), the per-hub steps (read
 * identity, unlock, stream the image, commit, verify, read back) and the journalled result.
 * Per hub: read identity (must match the scanned Device ID and the booked model), unlock
 * stream the verified image, commit, verify (the jig's SHA-256 must equal the
 * image's), read back the version (must equal the target), record the result. A failure
 * goes through the retry policy on the same slot and the same hub (every attempt checks
 * the catalogue again and stops with `target-changed` rather than send a withdrawn image or
 * pick another target), then becomes a failed `flash.result` and, for a hub fault, a
 * `fault.reported` with its disposition.
 */
import type { FlashStep } from "../../shared/events";
import { newEventId } from "../../shared/domain/ids";
import type { JigLink as JigDriver } from "../../hardware/jig/jig-link";
import { JigError } from "../../hardware/jig/jig-driver";
import type { SlotState } from "../../hardware/jig/messages";
import type { JournalItem } from "./flash-journal";
import type { AttemptFailure } from "./retry-policy";
import { describe, Killed, sleep, targetChange, type FlashContext, type SlotRun, type Timings } from "./slot-run";

/** Attempts until success or the policy gives up; never throws (a kill just stops it). */
export async function runSlot(ctx: FlashContext, run: SlotRun, attemptsBefore: number): Promise<void> {
  let attempt = attemptsBefore;
  try {
    for (;;) {
      attempt++;
      const timings: Partial<Record<FlashStep, number>> = {};
      const attemptId = newEventId(ctx.now());
      run.view = {
        ...run.view,
        phase: "flashing",
        step: null,
        attempt,
        percent: 0,
        etaMs: null,
        reason: null,
        startedAt: ctx.now().toISOString(),
      };
      ctx.publish(run);
      const started = { value: false };
      const failure = await attemptOnce(ctx, run, attemptId, attempt, timings, started);
      if (!failure) {
        await finishRun(ctx, run, attempt, attemptId, timings, null);
        return;
      }
      run.failures.push(`attempt ${attempt}: ${failure.detail}`);
      if (attempt < ctx.policy.maxAttempts && ctx.policy.retryable(failure)) {
        if (started.value)
          await ctx.append({
            t: "attempt-closed",
            attemptId,
            reason: `retrying: ${failure.detail}`,
            at: ctx.now().toISOString(),
          });
        if (failure.code === "disconnected" && !(await ctx.waitForJig(run))) {
          await finishRun(ctx, run, attempt, started.value ? attemptId : null, timings, {
            ...failure,
            detail: `${failure.detail}; the jig did not come back`,
          });
          return;
        }
        continue;
      }
      await finishRun(ctx, run, attempt, started.value ? attemptId : null, timings, failure);
      return;
    }
  } catch (error) {
    if (error instanceof Killed) return;
    // A bug must not leave the slot spinning: show it as this slot's failure.
    run.view = { ...run.view, phase: "failed", reason: `internal error: ${describe(error)}` };
    ctx.publish(run);
  }
}

/** One pass over the per-hub steps; returns the failure, or null when the hub is flashed. */
async function attemptOnce(
  ctx: FlashContext,
  run: SlotRun,
  attemptId: string,
  attempt: number,
  timings: Timings,
  started: { value: boolean },
): Promise<AttemptFailure | null> {
  const { jigId, slot } = run.view;
  const deviceId = run.view.deviceId ?? "";
  const driver = ctx.driverFor(jigId);
  if (!driver) return { step: "read-identity", code: "disconnected", jigSaid: null, detail: `jig ${jigId} is gone` };
  try {
    const state = await waitWhileProgramming(ctx, driver, slot, await waitForSeated(ctx, run, driver));
    const id = await step(ctx, run, timings, "read-identity", () => driver.readIdentity(slot));
    if (id.deviceId !== deviceId)
      return {
        step: "read-identity",
        code: "identity-mismatch",
        jigSaid: null,
        detail: `the hub in slot ${slot + 1} reports ${id.deviceId}, but ${deviceId} was scanned`,
      };
    if (id.model !== run.bookedModel)
      return {
        step: "read-identity",
        code: "model-mismatch",
        jigSaid: null,
        detail: `the hub reports model ${id.model}, the booking says ${run.bookedModel}`,
      };
    run.fromVersion ??= id.firmwareVersion;
    run.identified = true;
    // A retry after a disconnect may find our image already programmed: verify it rather than flash again.
    if (attempt > 1 && state === "programmed" && (await verifyAndReadBack(ctx, run, driver, timings)) === null)
      return null;
    // Every attempt checks the catalogue again, just before the hub is touched: a target
    // withdrawn or replaced since the load stops here, and is never re-picked by a retry.
    const checked = ctx.checkTarget(run.bookedModel, run.target);
    if (!checked.ok)
      return {
        step: "unlock",
        code: "target-changed",
        jigSaid: null,
        detail: `target changed before attempt ${attempt}, the hub was not touched: ${checked.reason}; load the hub again to flash the current target`,
      };
    const image = checked.image;
    // Journalled before the hub is touched: after a crash, recovery knows this flash was in flight.
    ctx.ownAttempt(attemptId);
    await ctx.append({
      t: "attempt-started",
      attemptId,
      deviceId,
      jigId,
      slot,
      model: run.bookedModel,
      fromVersion: run.fromVersion,
      toVersion: image.version,
      imageSha256: image.sha256Hex,
      attempt,
      at: ctx.now().toISOString(),
    });
    started.value = true;
    await step(ctx, run, timings, "unlock", () => driver.unlock(slot));
    await step(ctx, run, timings, "begin-image", () =>
      driver.beginImage(slot, { size: image.bytes.length, version: image.version, sha256: image.sha256 }),
    );
    await step(ctx, run, timings, "image-chunk", () => driver.writeImage(slot, image.bytes));
    await step(ctx, run, timings, "commit", () => driver.commit(slot, ctx.commitIdleTimeoutMs));
    return await verifyAndReadBack(ctx, run, driver, timings);
  } catch (error) {
    if (error instanceof Killed) throw error;
    const at = run.view.step ?? "read-identity";
    if (error instanceof JigError) {
      const jigSaid = error.code === "refused" ? `${error.status ?? "refused"}: ${error.message}` : null;
      if (error.status === "no-hub")
        return {
          step: at,
          code: "hub-removed",
          jigSaid,
          detail: `the hub was taken out of slot ${slot + 1} during ${at}`,
        };
      return { step: at, code: error.code, jigSaid, detail: `${at} failed: ${error.message}` };
    }
    return { step: at, code: "protocol", jigSaid: null, detail: `${at} failed: ${describe(error)}` };
  }
}

/** Verify (the jig's SHA-256 against the target's) and read back the version; the failure, or null when the hub holds the target. */
export async function verifyAndReadBack(
  ctx: FlashContext,
  run: SlotRun,
  driver: JigDriver,
  timings: Timings,
): Promise<AttemptFailure | null> {
  const slot = run.view.slot;
  const hash = await step(ctx, run, timings, "verify", () => driver.verify(slot));
  const hex = Buffer.from(hash).toString("hex");
  if (hex !== run.target.sha256Hex)
    return {
      step: "verify",
      code: "verify-mismatch",
      jigSaid: `sha256 ${hex}`,
      detail: `the jig computed sha256 ${hex.slice(0, 12)}…, the image is ${run.target.sha256Hex.slice(0, 12)}…`,
    };
  const after = await step(ctx, run, timings, "read-back", () => driver.readIdentity(slot));
  run.readBack = after.firmwareVersion;
  if (after.deviceId !== run.view.deviceId)
    return {
      step: "read-back",
      code: "identity-mismatch",
      jigSaid: null,
      detail: `after flashing the slot reports ${after.deviceId}`,
    };
  if (after.firmwareVersion !== run.target.version)
    return {
      step: "read-back",
      code: "version-mismatch",
      jigSaid: `version ${after.firmwareVersion}`,
      detail: `the hub reads back version ${after.firmwareVersion}, the target is ${run.target.version}`,
    };
  return null;
}

/** Runs one step, timing it and showing it on the slot; a kill stops the run after it. */
async function step<T>(
  ctx: FlashContext,
  run: SlotRun,
  timings: Timings,
  name: FlashStep,
  work: () => Promise<T>,
): Promise<T> {
  ctx.alive();
  run.view = { ...run.view, step: name };
  ctx.publish(run);
  const t0 = performance.now();
  try {
    return await work();
  } finally {
    timings[name] = Math.round(((timings[name] ?? 0) + performance.now() - t0) * 1000) / 1000;
    ctx.alive();
  }
}

/**
 * Journals the slot's result (and its fault report), then shows it; the order is the guarantee.
 * A hub flashed with an image the catalogue no longer sends (withdrawn or replaced while it
 * was programmed, or while the host was down) is recorded as flashed with what it holds, and
 * flagged: the returned notice is in the result's payload (so central sees it) and on the slot. Null when nothing to flag.
 */
export async function finishRun(
  ctx: FlashContext,
  run: SlotRun,
  attempts: number,
  attemptId: string | null,
  timings: Timings,
  failure: AttemptFailure | null,
): Promise<string | null> {
  const { jigId, slot } = run.view;
  const deviceId = run.view.deviceId ?? "";
  const resultId = newEventId(ctx.now());
  const changed = failure ? null : targetChange(ctx, run.bookedModel, run.target);
  const notice =
    changed === null
      ? null
      : `hub ${deviceId} holds ${run.target.version}, verified, but that image is no longer the target (${changed}); flash it again to the current target`.slice(
          0,
          2000,
        );
  const result: JournalItem = {
    id: resultId,
    kind: "flash.result",
    recordedAt: ctx.now().toISOString(),
    attemptId,
    payload: {
      jigId,
      slot,
      deviceId,
      outcome: failure ? "failed" : "flashed",
      fromVersion: run.fromVersion ?? run.bookedVersion,
      toVersion: run.target.version,
      readBackVersion: run.readBack,
      imageSha256: run.target.sha256Hex,
      attempts: Math.min(Math.max(attempts, 1), 100),
      stepTimingsMs: timings,
      failure: failure ? { step: failure.step, detail: failure.detail.slice(0, 2000) } : null,
      ...(notice === null ? {} : { notice }),
    },
  };
  await ctx.record(result);
  const manual =
    failure !== null && !run.identified && ctx.policy.isHubFault(failure) && ctx.policy.needsManualReport(failure);
  if (failure && ctx.policy.isHubFault(failure) && !manual) {
    await ctx.record({
      id: newEventId(ctx.now()),
      kind: "fault.reported",
      recordedAt: ctx.now().toISOString(),
      attemptId: null,
      payload: {
        deviceId,
        flashEventId: resultId,
        jigId,
        slot,
        step: failure.step,
        jigSaid: failure.jigSaid?.slice(0, 2000) ?? null,
        stepTimingsMs: timings,
        manual: false,
        notes: run.failures.join("; ").slice(0, 2000) || failure.detail,
        disposition: ctx.policy.disposition(failure),
      },
    });
  }
  run.view = {
    ...run.view,
    phase: failure ? "failed" : "flashed",
    percent: failure ? run.view.percent : 100,
    etaMs: failure ? null : 0,
    reason: failure?.detail ?? notice,
    manualReportRequired: manual,
  };
  ctx.publish(run);
  return notice;
}

/** Waits for a hub in the slot (loaded before it was seated); returns the slot's state. */
async function waitForSeated(ctx: FlashContext, run: SlotRun, driver: JigDriver): Promise<SlotState> {
  const status = await driver.slotStatus(run.view.slot);
  if (status.state !== "empty") return status.state;
  run.view = { ...run.view, phase: "waiting-for-hub" };
  ctx.publish(run);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, ctx.seatTimeoutMs);
    function done() {
      clearTimeout(timer);
      run.seatedWaiters.delete(done);
      resolve();
    }
    run.seatedWaiters.add(done);
  });
  ctx.alive();
  run.view = { ...run.view, phase: "flashing" };
  ctx.publish(run);
  return (await driver.slotStatus(run.view.slot)).state;
}

/**
 * A jig keeps programming while the host is away (disconnect, restart): let it finish
 * before judging. The limit is an idle one (as commit's): it restarts whenever the
 * slot's progress moves, so a long flash is waited for and a stuck one is not.
 */
export async function waitWhileProgramming(
  ctx: FlashContext,
  driver: JigDriver,
  slot: number,
  state: SlotState,
): Promise<SlotState> {
  const idleMs = ctx.commitIdleTimeoutMs;
  let deadline = Date.now() + idleMs;
  let progress = -1;
  while (state === "programming" && Date.now() < deadline) {
    await sleep(10);
    ctx.alive();
    const status = await driver.slotStatus(slot);
    state = status.state;
    if (status.progress !== progress) {
      progress = status.progress;
      deadline = Date.now() + idleMs;
    }
  }
  return state;
}
