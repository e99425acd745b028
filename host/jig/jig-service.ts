/**
 * The jig service: binds scanned hubs to jig slots, flashes up to 8 hubs a jig in
 * parallel across N jigs, journals every result until the renderer has stored it, and
 * recovers in-flight flashes after a crash without repeating a completed one.
 *
 * Per hub: read identity (must match the scanned Device ID and the booked model), unlock
 * stream the verified image, commit, verify (the jig's SHA-256 must equal the
 * image's), read back the version (must equal the target), record the result. A failure
 * goes through the retry policy on the same slot and the same hub (every attempt checks
 * the catalogue again and stops with `target-changed` rather than send a withdrawn image or
 * pick another target), then becomes a failed `flash.result` and, for a hub fault, a
 * `fault.reported` with its disposition. One slot's failure never touches another slot.
 */
import { EventEmitter } from "node:events";
import type { BookedHub } from "../../shared/domain/booking";
import { parseDeviceId } from "../../shared/domain/device-id";
import { newEventId } from "../../shared/domain/ids";
import type { FlashStep } from "../../shared/events";
import type { FirmwareStore, VerifiedImage } from "../../hardware/firmware/firmware-store";
import type { FirmwareCatalogue } from "../../hardware/firmware/manifest";
import type { JigDriver } from "../../hardware/jig/jig-driver";
import { JigError } from "../../hardware/jig/jig-driver";
import type { JigEvent, SlotState } from "../../hardware/jig/messages";
import type { AttemptStarted, FlashJournal, JournalItem } from "./flash-journal";
import type { AttemptFailure, RetryPolicy } from "./retry-policy";
import { DEFAULT_RETRY_POLICY } from "./retry-policy";

/** Finds a scanned hub in the bookings the dock holds. */
export type BookedHubLookup = (deviceId: string) => { hub: BookedHub; bookingRef: string } | null;

export interface JigServiceOptions {
  journal: FlashJournal;
  firmware: FirmwareStore;
  /** Central's firmware catalogue as last synced. */
  catalogue: () => FirmwareCatalogue;
  lookupHub: BookedHubLookup;
  retry?: RetryPolicy;
  /** How long commit may go without a progress event from the jig. */
  commitIdleTimeoutMs?: number;
  /** How long a slot waits for its jig to come back after a disconnect before giving up. */
  reconnectTimeoutMs?: number;
  /** How long a loaded slot waits for the hub to be seated. */
  seatTimeoutMs?: number;
  now?: () => Date;
}

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

export type LoadRefusalCode =
  | "bad-device-id"
  | "unknown-jig"
  | "jig-offline"
  | "bad-slot"
  | "slot-busy"
  | "hub-busy"
  | "not-booked"
  | "not-eligible"
  | "already-flashed"
  | "no-firmware";

export interface LoadRequest {
  jigId: string;
  slot: number;
  /** The hub's Device ID as scanned (any notation parseDeviceId accepts). */
  deviceId: string;
  operatorId: string;
  /** A supervisor allows flashing a hub the history shows already at the target. */
  override?: { supervisorId: string; reason: string };
}

export type LoadResult =
  | { ok: true; deviceId: string; toVersion: string; done: Promise<SlotView> }
  | { ok: false; code: LoadRefusalCode; reason: string };

export interface ManualFaultReport {
  deviceId: string;
  notes: string;
  disposition: "credit" | "scrap";
  jigId?: string | null;
  slot?: number | null;
  flashEventId?: string | null;
}

export type JigServiceEvents = {
  slot: [view: SlotView];
  /** A result or fault report is journalled and waits for the renderer. */
  journal: [item: JournalItem];
  jig: [status: { jigId: string; connected: boolean }];
};

interface JigEntry {
  driver: JigDriver;
  slotCount: number;
  connected: boolean;
  reconnectWaiters: Set<() => void>;
  off: () => void;
}

interface SlotRun {
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
interface TargetImage {
  version: string;
  sha256Hex: string;
}

/** Thrown inside a run when the service was killed (crash simulation): nothing more is written. */
class Killed extends Error {}

const key = (jigId: string, slot: number) => `${jigId}#${slot}`;

export class JigService extends EventEmitter<JigServiceEvents> {
  private readonly jigs = new Map<string, JigEntry>();
  private readonly slots = new Map<string, SlotRun>();
  private readonly policy: RetryPolicy;
  private readonly now: () => Date;
  private killed = false;
  /** Attempts this process started: recovery must never treat them as interrupted. */
  private readonly ownAttempts = new Set<string>();
  private readonly recovering = new Set<string>();
  private recoveryRequested = false;

  constructor(private readonly options: JigServiceOptions) {
    super();
    this.policy = options.retry ?? DEFAULT_RETRY_POLICY;
    this.now = options.now ?? (() => new Date());
  }

  /** Adds an opened jig, or re-binds one that came back (same serial); returns its id. */
  async attachJig(driver: JigDriver): Promise<string> {
    const id = await driver.identify();
    const jigId = id.serial;
    const old = this.jigs.get(jigId);
    old?.off();
    const onEvent = (e: JigEvent) => this.onJigEvent(jigId, e);
    const onDisconnect = () => this.onJigLost(jigId);
    driver.on("event", onEvent);
    driver.on("disconnect", onDisconnect);
    const entry: JigEntry = {
      driver,
      slotCount: id.slotCount,
      connected: true,
      reconnectWaiters: old?.reconnectWaiters ?? new Set(),
      off: () => {
        driver.off("event", onEvent);
        driver.off("disconnect", onDisconnect);
      },
    };
    this.jigs.set(jigId, entry);
    for (const wake of [...entry.reconnectWaiters]) wake();
    entry.reconnectWaiters.clear();
    this.emit("jig", { jigId, connected: true });
    // A jig that comes back after start-up may hold flashes interrupted by a crash.
    if (this.recoveryRequested) void this.recover().catch(() => undefined);
    return jigId;
  }

  /** Every slot of every jig, as the screen draws it. */
  slotViews(): SlotView[] {
    const out: SlotView[] = [];
    for (const [jigId, j] of this.jigs) for (let s = 0; s < j.slotCount; s++) out.push(this.view(jigId, s));
    return out;
  }

  /** The next free slot, spreading hubs across jigs (fewest busy slots first), or null when all are busy. */
  suggestSlot(): { jigId: string; slot: number } | null {
    let best: { jigId: string; slot: number; busy: number } | null = null;
    for (const [jigId, j] of this.jigs) {
      if (!j.connected) continue;
      let busy = 0;
      let free: number | null = null;
      for (let s = 0; s < j.slotCount; s++) {
        if (this.slots.has(key(jigId, s))) busy++;
        else if (free === null) free = s;
      }
      if (free !== null && (!best || busy < best.busy)) best = { jigId, slot: free, busy };
    }
    return best && { jigId: best.jigId, slot: best.slot };
  }

  /** A technician scanned a hub and the slot it goes into: check, bind and start flashing. */
  async load(req: LoadRequest): Promise<LoadResult> {
    const parsed = parseDeviceId(req.deviceId);
    if (!parsed.ok) return refuse("bad-device-id", `not a hub Device ID: ${parsed.reason}`);
    const deviceId = parsed.deviceId;
    const jig = this.jigs.get(req.jigId);
    if (!jig) return refuse("unknown-jig", `no jig ${req.jigId} is attached`);
    if (!jig.connected) return refuse("jig-offline", `jig ${req.jigId} is disconnected`);
    if (!Number.isInteger(req.slot) || req.slot < 0 || req.slot >= jig.slotCount) return refuse("bad-slot", `jig ${req.jigId} has no slot ${req.slot + 1}`);
    const busy = this.slots.get(key(req.jigId, req.slot));
    if (busy) return refuse("slot-busy", `slot ${req.slot + 1} of ${req.jigId} holds ${busy.view.deviceId}; unload it first`);
    for (const run of this.slots.values()) {
      if (run.view.deviceId === deviceId) return refuse("hub-busy", `hub ${deviceId} is already in slot ${run.view.slot + 1} of ${run.view.jigId}`);
    }
    // A flash interrupted by a crash whose slot could not yet be read may have programmed
    // this hub already: flashing it now could program it twice, so it waits for recovery.
    const unknown = this.options.journal.interrupted().find((a) => a.deviceId === deviceId && !this.ownAttempts.has(a.attemptId));
    if (unknown) {
      // Asking is also the cue to try reading that slot again (the jig may be back by now).
      void this.recover().catch(() => undefined);
      // "hub-busy" until the bridge has a code of its own for this (shared/bridge.ts JigLoadRefusalSchema).
      return refuse("hub-busy", `outcome of the interrupted flash unknown: re-seat the jig / read the slot first (hub ${deviceId} was being flashed to ${unknown.toVersion} in slot ${unknown.slot + 1} of ${unknown.jigId} when the host stopped)`);
    }
    const booked = this.options.lookupHub(deviceId);
    if (!booked) return refuse("not-booked", `hub ${deviceId} is on no booking held at this dock`);
    if (booked.hub.smiStatus !== "Pending") return refuse("not-eligible", `hub ${deviceId} is ${booked.hub.smiStatus} in SMI; only Pending hubs are re-flashed`);
    const prepared = this.options.firmware.prepare(this.options.catalogue(), booked.hub.deviceModel);
    if (!prepared.ok) return refuse("no-firmware", `no firmware can be sent for model ${booked.hub.deviceModel}: ${prepared.reason}`);
    const image = prepared.image;
    const needsOverride = this.options.journal.wasFlashedTo(deviceId, image.version) && !this.options.journal.overrideFor(deviceId, image.version);
    if (needsOverride && !req.override) return refuse("already-flashed", `hub ${deviceId} was already flashed to ${image.version}; a supervisor must allow a second flash`);
    // The slot is taken before any await, so two scans racing for one slot cannot both win.
    const run: SlotRun = { view: { ...this.emptyView(req.jigId, req.slot), phase: "flashing", deviceId }, bookedModel: booked.hub.deviceModel, bookedVersion: booked.hub.firmwareVersion, target: { version: image.version, sha256Hex: image.sha256Hex }, fromVersion: null, readBack: null, failures: [], identified: false, seatedWaiters: new Set() };
    this.slots.set(key(req.jigId, req.slot), run);
    if (needsOverride && req.override) {
      try {
        // The supervisor's decision is journalled (audit) before the second flash starts.
        await this.append({ t: "override", deviceId, toVersion: image.version, supervisorId: req.override.supervisorId, reason: req.override.reason, at: this.now().toISOString() });
      } catch (error) {
        this.slots.delete(key(req.jigId, req.slot));
        throw error;
      }
    }
    this.publish(run);
    const done = this.run(run, 0).then(() => ({ ...run.view }));
    return { ok: true, deviceId, toVersion: image.version, done };
  }

  /** The technician took a finished hub out (also done by the jig's hub-removed event). */
  unload(jigId: string, slot: number): { ok: true } | { ok: false; reason: string } {
    const run = this.slots.get(key(jigId, slot));
    if (!run) return { ok: true };
    if (run.view.phase !== "flashed" && run.view.phase !== "failed") return { ok: false, reason: `slot ${slot + 1} is still ${run.view.phase}` };
    this.slots.delete(key(jigId, slot));
    this.emit("slot", this.emptyView(jigId, slot));
    // An interrupted attempt left waiting for this slot can be judged now.
    if (this.recoveryRequested && this.options.journal.interrupted().some((a) => a.jigId === jigId && a.slot === slot && !this.ownAttempts.has(a.attemptId))) void this.recover().catch(() => undefined);
    return { ok: true };
  }

  /** Results the renderer has not yet acknowledged (after a restart too). */
  pending(): JournalItem[] {
    return this.options.journal.pending();
  }

  /** The renderer stored these results durably. */
  acknowledge(ids: readonly string[]): Promise<number> {
    return this.options.journal.acknowledge(ids);
  }

  /** A person's Fault Analysis Report for a hub too damaged to analyse. */
  async fileManualFaultReport(report: ManualFaultReport): Promise<JournalItem> {
    const item: JournalItem = {
      id: newEventId(this.now()),
      kind: "fault.reported",
      recordedAt: this.now().toISOString(),
      attemptId: null,
      payload: {
        deviceId: report.deviceId,
        flashEventId: report.flashEventId ?? null,
        jigId: report.jigId ?? null,
        slot: report.slot ?? null,
        step: null,
        jigSaid: null,
        stepTimingsMs: {},
        manual: true,
        notes: report.notes,
        disposition: report.disposition,
      },
    };
    await this.record(item);
    return item;
  }

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
   * Resolves once every attempt is judged or left waiting; `settled` when the resumed flashes are done.
   */
  async recover(): Promise<RecoverySummary> {
    this.recoveryRequested = true;
    const summary = { recorded: 0, flagged: 0, resumed: 0, closed: 0, waiting: 0 };
    const runs: Array<Promise<void>> = [];
    for (const a of this.options.journal.interrupted()) {
      if (this.killed) break;
      if (this.ownAttempts.has(a.attemptId) || this.recovering.has(a.attemptId)) continue;
      const jig = this.jigs.get(a.jigId);
      if (!jig?.connected || this.slots.has(key(a.jigId, a.slot))) {
        summary.waiting++;
        continue;
      }
      this.recovering.add(a.attemptId);
      try {
        const judged = await this.recoverOne(a, jig.driver, runs);
        if (judged === "flagged") summary.recorded++;
        summary[judged]++;
      } catch (error) {
        // A killed service stops judging; the attempts left stay in the journal for the next start.
        if (error instanceof Killed) break;
        throw error;
      } finally {
        this.recovering.delete(a.attemptId);
      }
    }
    return { ...summary, settled: Promise.all(runs).then(() => undefined) };
  }

  /** Crash simulation for tests: the service stops dead, writing nothing more. */
  kill(): void {
    this.killed = true;
    for (const j of this.jigs.values()) j.off();
    for (const j of this.jigs.values()) for (const w of j.reconnectWaiters) w();
    for (const r of this.slots.values()) for (const w of r.seatedWaiters) w();
  }

  private async recoverOne(a: AttemptStarted, driver: JigDriver, runs: Array<Promise<void>>): Promise<"recorded" | "flagged" | "resumed" | "closed" | "waiting"> {
    // Through the service's append, so a killed service writes nothing more (as every other journal write).
    const close = async (reason: string) => {
      await this.append({ t: "attempt-closed", attemptId: a.attemptId, reason, at: this.now().toISOString() });
      return "closed" as const;
    };
    let identity;
    let status;
    try {
      status = await this.waitWhileProgramming(driver, a.slot, (await driver.slotStatus(a.slot)).state);
      identity = await driver.readIdentity(a.slot);
    } catch (error) {
      if (error instanceof Killed) throw error;
      // The jig said the slot is empty: the hub was taken out, so it may be loaded again.
      if (error instanceof JigError && error.status === "no-hub") return close(`after restart slot ${a.slot + 1} of ${a.jigId} is empty: ${a.deviceId} was taken out`);
      // Unplugged, no answer: the jig may have finished programming, so the outcome stays open.
      return "waiting";
    }
    if (identity.deviceId !== a.deviceId) return close(`after restart slot ${a.slot + 1} holds ${identity.deviceId}, not ${a.deviceId}`);
    // Still programming past the idle limit: nothing can be judged yet.
    if (status === "programming") return "waiting";
    const run: SlotRun = {
      view: { ...this.emptyView(a.jigId, a.slot), phase: "flashing", deviceId: a.deviceId, attempt: a.attempt },
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
      this.slots.set(key(a.jigId, a.slot), run);
      this.publish(run);
      const timings: Partial<Record<FlashStep, number>> = {};
      let failure: AttemptFailure | null;
      try {
        failure = await this.verifyAndReadBack(run, driver, timings);
      } catch (error) {
        if (error instanceof Killed) throw error;
        // The slot stopped answering mid-check: still unknown, judged on the next read.
        this.slots.delete(key(a.jigId, a.slot));
        this.emit("slot", this.emptyView(a.jigId, a.slot));
        return "waiting";
      }
      if (failure === null) {
        // Recorded against the image it holds, whatever the catalogue says now; finish flags a changed target.
        const notice = await this.finish(run, a.attempt, a.attemptId, timings, null);
        return notice === null ? "recorded" : "flagged";
      }
      run.failures.push(`attempt ${a.attempt}: ${failure.detail}`);
      const changedSince = this.targetChange(a.model, run.target);
      if (changedSince !== null) {
        // Programmed, but not with what was sent, and no retry may send that image again: record the failure as read.
        await this.finish(run, a.attempt, a.attemptId, timings, { ...failure, detail: `${failure.detail}; not retried: ${changedSince}` });
        return "recorded";
      }
      this.slots.delete(key(a.jigId, a.slot));
    }
    const changed = this.targetChange(a.model, run.target);
    if (changed !== null) {
      this.emit("slot", this.emptyView(a.jigId, a.slot));
      return close(`after restart the target image is no longer the one this attempt sent: ${changed}`);
    }
    this.slots.set(key(a.jigId, a.slot), run);
    this.publish(run);
    await this.append({ t: "attempt-closed", attemptId: a.attemptId, reason: "resumed after restart", at: this.now().toISOString() });
    runs.push(this.run(run, a.attempt));
    return "resumed";
  }

  /** The verified image for `target` if the catalogue still names it for `model`; else why not (withdrawn, replaced, not held). */
  private checkTarget(model: string, target: TargetImage): { ok: true; image: VerifiedImage } | { ok: false; reason: string } {
    const catalogue = this.options.catalogue();
    const prepared = this.options.firmware.prepare(catalogue, model);
    if (!prepared.ok) {
      // Name what happened to this image (withdrawn, say) where the store can tell, not only that nothing is sendable.
      const own = this.options.firmware.verifyImage(target.sha256Hex, model, catalogue);
      return { ok: false, reason: `firmware ${target.version} can no longer be sent: ${own.ok ? prepared.reason : own.reason}` };
    }
    if (prepared.image.sha256Hex !== target.sha256Hex) return { ok: false, reason: `the catalogue's target for model ${model} is now ${prepared.image.version} (sha256 ${prepared.image.sha256Hex.slice(0, 12)}…), not ${target.version} (sha256 ${target.sha256Hex.slice(0, 12)}…)` };
    return { ok: true, image: prepared.image };
  }

  /** Why `target` is no longer what the catalogue sends to a hub of `model`, or null when it still is. */
  private targetChange(model: string, target: TargetImage): string | null {
    const checked = this.checkTarget(model, target);
    return checked.ok ? null : checked.reason;
  }

  /** Attempts until success or the policy gives up; never throws (a kill just stops it). */
  private async run(run: SlotRun, attemptsBefore: number): Promise<void> {
    let attempt = attemptsBefore;
    try {
      for (;;) {
        attempt++;
        const timings: Partial<Record<FlashStep, number>> = {};
        const attemptId = newEventId(this.now());
        run.view = { ...run.view, phase: "flashing", step: null, attempt, percent: 0, etaMs: null, reason: null, startedAt: this.now().toISOString() };
        this.publish(run);
        const started = { value: false };
        const failure = await this.attempt(run, attemptId, attempt, timings, started);
        if (!failure) {
          await this.finish(run, attempt, attemptId, timings, null);
          return;
        }
        run.failures.push(`attempt ${attempt}: ${failure.detail}`);
        if (attempt < this.policy.maxAttempts && this.policy.retryable(failure)) {
          if (started.value) await this.append({ t: "attempt-closed", attemptId, reason: `retrying: ${failure.detail}`, at: this.now().toISOString() });
          if (failure.code === "disconnected" && !(await this.waitForJig(run))) {
            await this.finish(run, attempt, started.value ? attemptId : null, timings, { ...failure, detail: `${failure.detail}; the jig did not come back` });
            return;
          }
          continue;
        }
        await this.finish(run, attempt, started.value ? attemptId : null, timings, failure);
        return;
      }
    } catch (error) {
      if (error instanceof Killed) return;
      // A bug must not leave the slot spinning: show it as this slot's failure.
      run.view = { ...run.view, phase: "failed", reason: `internal error: ${describe(error)}` };
      this.publish(run);
    }
  }

  /** One pass over the per-hub steps; returns the failure, or null when the hub is flashed. */
  private async attempt(run: SlotRun, attemptId: string, attempt: number, timings: Timings, started: { value: boolean }): Promise<AttemptFailure | null> {
    const { jigId, slot } = run.view;
    const deviceId = run.view.deviceId ?? "";
    const driver = this.jigs.get(jigId)?.driver;
    if (!driver) return { step: "read-identity", code: "disconnected", jigSaid: null, detail: `jig ${jigId} is gone` };
    try {
      const state = await this.waitWhileProgramming(driver, slot, await this.waitForSeated(run, driver));
      const id = await this.step(run, timings, "read-identity", () => driver.readIdentity(slot));
      if (id.deviceId !== deviceId) return { step: "read-identity", code: "identity-mismatch", jigSaid: null, detail: `the hub in slot ${slot + 1} reports ${id.deviceId}, but ${deviceId} was scanned` };
      if (id.model !== run.bookedModel) return { step: "read-identity", code: "model-mismatch", jigSaid: null, detail: `the hub reports model ${id.model}, the booking says ${run.bookedModel}` };
      run.fromVersion ??= id.firmwareVersion;
      run.identified = true;
      // A retry after a disconnect may find our image already programmed: verify it rather than flash again.
      if (attempt > 1 && state === "programmed" && (await this.verifyAndReadBack(run, driver, timings)) === null) return null;
      // Every attempt checks the catalogue again, just before the hub is touched: a target
      // withdrawn or replaced since the load stops here, and is never re-picked by a retry.
      const checked = this.checkTarget(run.bookedModel, run.target);
      if (!checked.ok) return { step: "unlock", code: "target-changed", jigSaid: null, detail: `target changed before attempt ${attempt}, the hub was not touched: ${checked.reason}; load the hub again to flash the current target` };
      const image = checked.image;
      // Journalled before the hub is touched: after a crash, recovery knows this flash was in flight.
      this.ownAttempts.add(attemptId);
      await this.append({ t: "attempt-started", attemptId, deviceId, jigId, slot, model: run.bookedModel, fromVersion: run.fromVersion, toVersion: image.version, imageSha256: image.sha256Hex, attempt, at: this.now().toISOString() });
      started.value = true;
      await this.step(run, timings, "unlock", () => driver.unlock(slot));
      await this.step(run, timings, "begin-image", () => driver.beginImage(slot, { size: image.bytes.length, version: image.version, sha256: image.sha256 }));
      await this.step(run, timings, "image-chunk", () => driver.writeImage(slot, image.bytes));
      await this.step(run, timings, "commit", () => driver.commit(slot, this.options.commitIdleTimeoutMs ?? 30_000));
      return await this.verifyAndReadBack(run, driver, timings);
    } catch (error) {
      if (error instanceof Killed) throw error;
      const at = run.view.step ?? "read-identity";
      if (error instanceof JigError) {
        const jigSaid = error.code === "refused" ? `${error.status ?? "refused"}: ${error.message}` : null;
        if (error.status === "no-hub") return { step: at, code: "hub-removed", jigSaid, detail: `the hub was taken out of slot ${slot + 1} during ${at}` };
        return { step: at, code: error.code, jigSaid, detail: `${at} failed: ${error.message}` };
      }
      return { step: at, code: "protocol", jigSaid: null, detail: `${at} failed: ${describe(error)}` };
    }
  }

  private async verifyAndReadBack(run: SlotRun, driver: JigDriver, timings: Timings): Promise<AttemptFailure | null> {
    const slot = run.view.slot;
    const hash = await this.step(run, timings, "verify", () => driver.verify(slot));
    const hex = Buffer.from(hash).toString("hex");
    if (hex !== run.target.sha256Hex) return { step: "verify", code: "verify-mismatch", jigSaid: `sha256 ${hex}`, detail: `the jig computed sha256 ${hex.slice(0, 12)}…, the image is ${run.target.sha256Hex.slice(0, 12)}…` };
    const after = await this.step(run, timings, "read-back", () => driver.readIdentity(slot));
    run.readBack = after.firmwareVersion;
    if (after.deviceId !== run.view.deviceId) return { step: "read-back", code: "identity-mismatch", jigSaid: null, detail: `after flashing the slot reports ${after.deviceId}` };
    if (after.firmwareVersion !== run.target.version) return { step: "read-back", code: "version-mismatch", jigSaid: `version ${after.firmwareVersion}`, detail: `the hub reads back version ${after.firmwareVersion}, the target is ${run.target.version}` };
    return null;
  }

  /** Runs one step, timing it and showing it on the slot; a kill stops the run after it. */
  private async step<T>(run: SlotRun, timings: Timings, name: FlashStep, work: () => Promise<T>): Promise<T> {
    this.alive();
    run.view = { ...run.view, step: name };
    this.publish(run);
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      timings[name] = Math.round(((timings[name] ?? 0) + performance.now() - t0) * 1000) / 1000;
      this.alive();
    }
  }

  /**
   * Journals the slot's result (and its fault report), then shows it; the order is the guarantee.
   * A hub flashed with an image the catalogue no longer sends (withdrawn or replaced while it
   * was programmed, or while the host was down) is recorded as flashed with what it holds, and
   * flagged: the returned notice is in the result's payload (so central sees it) and on the slot. Null when nothing to flag.
   */
  private async finish(run: SlotRun, attempts: number, attemptId: string | null, timings: Timings, failure: AttemptFailure | null): Promise<string | null> {
    const { jigId, slot } = run.view;
    const deviceId = run.view.deviceId ?? "";
    const resultId = newEventId(this.now());
    const changed = failure ? null : this.targetChange(run.bookedModel, run.target);
    const notice = changed === null ? null : `hub ${deviceId} holds ${run.target.version}, verified, but that image is no longer the target (${changed}); flash it again to the current target`.slice(0, 2000);
    const result: JournalItem = {
      id: resultId,
      kind: "flash.result",
      recordedAt: this.now().toISOString(),
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
    await this.record(result);
    const manual = failure !== null && !run.identified && this.policy.isHubFault(failure) && this.policy.needsManualReport(failure);
    if (failure && this.policy.isHubFault(failure) && !manual) {
      await this.record({
        id: newEventId(this.now()),
        kind: "fault.reported",
        recordedAt: this.now().toISOString(),
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
          disposition: this.policy.disposition(failure),
        },
      });
    }
    run.view = { ...run.view, phase: failure ? "failed" : "flashed", percent: failure ? run.view.percent : 100, etaMs: failure ? null : 0, reason: failure?.detail ?? notice, manualReportRequired: manual };
    this.publish(run);
    return notice;
  }

  private async record(item: JournalItem): Promise<void> {
    await this.append({ t: "item", item });
    this.emit("journal", item);
  }

  private async append(record: Parameters<FlashJournal["append"]>[0]): Promise<void> {
    this.alive();
    await this.options.journal.append(record);
    this.alive();
  }

  /** Waits for a hub in the slot (loaded before it was seated); returns the slot's state. */
  private async waitForSeated(run: SlotRun, driver: JigDriver): Promise<SlotState> {
    const status = await driver.slotStatus(run.view.slot);
    if (status.state !== "empty") return status.state;
    run.view = { ...run.view, phase: "waiting-for-hub" };
    this.publish(run);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, this.options.seatTimeoutMs ?? 60_000);
      function done() {
        clearTimeout(timer);
        run.seatedWaiters.delete(done);
        resolve();
      }
      run.seatedWaiters.add(done);
    });
    this.alive();
    run.view = { ...run.view, phase: "flashing" };
    this.publish(run);
    return (await driver.slotStatus(run.view.slot)).state;
  }

  /**
   * A jig keeps programming while the host is away (disconnect, restart): let it finish
   * before judging. The limit is an idle one (as commit's): it restarts whenever the
   * slot's progress moves, so a long flash is waited for and a stuck one is not.
   */
  private async waitWhileProgramming(driver: JigDriver, slot: number, state: SlotState): Promise<SlotState> {
    const idleMs = this.options.commitIdleTimeoutMs ?? 30_000;
    let deadline = Date.now() + idleMs;
    let progress = -1;
    while (state === "programming" && Date.now() < deadline) {
      await sleep(10);
      this.alive();
      const status = await driver.slotStatus(slot);
      state = status.state;
      if (status.progress !== progress) {
        progress = status.progress;
        deadline = Date.now() + idleMs;
      }
    }
    return state;
  }

  /** Waits for the slot's jig to re-attach; false when it does not within the limit. */
  private async waitForJig(run: SlotRun): Promise<boolean> {
    const jig = this.jigs.get(run.view.jigId);
    if (!jig) return false;
    if (jig.connected) return true;
    run.view = { ...run.view, phase: "waiting-for-jig" };
    this.publish(run);
    const back = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        jig.reconnectWaiters.delete(wake);
        resolve(false);
      }, this.options.reconnectTimeoutMs ?? 120_000);
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      jig.reconnectWaiters.add(wake);
    });
    this.alive();
    return back && (this.jigs.get(run.view.jigId)?.connected ?? false);
  }

  private onJigEvent(jigId: string, e: JigEvent): void {
    const run = this.slots.get(key(jigId, e.slot));
    if (e.kind === "hub-seated") {
      for (const w of [...(run?.seatedWaiters ?? [])]) w();
      return;
    }
    if (!run) return;
    if (e.kind === "hub-removed" && (run.view.phase === "flashed" || run.view.phase === "failed")) {
      this.unload(jigId, e.slot);
      return;
    }
    if (e.kind === "progress" && run.view.phase === "flashing") {
      const elapsed = run.view.startedAt ? this.now().getTime() - Date.parse(run.view.startedAt) : 0;
      const etaMs = e.percent > 0 ? Math.round((elapsed * (100 - e.percent)) / e.percent) : null;
      run.view = { ...run.view, percent: e.percent, etaMs };
      this.publish(run);
    }
  }

  private onJigLost(jigId: string): void {
    const jig = this.jigs.get(jigId);
    if (!jig) return;
    jig.connected = false;
    this.emit("jig", { jigId, connected: false });
  }

  private alive(): void {
    if (this.killed) throw new Killed("jig service killed");
  }

  private publish(run: SlotRun): void {
    if (!this.killed) this.emit("slot", { ...run.view });
  }

  private view(jigId: string, slot: number): SlotView {
    const run = this.slots.get(key(jigId, slot));
    return run ? { ...run.view } : this.emptyView(jigId, slot);
  }

  private emptyView(jigId: string, slot: number): SlotView {
    return { jigId, slot, phase: "empty", deviceId: null, step: null, percent: 0, attempt: 0, startedAt: null, etaMs: null, reason: null, manualReportRequired: false };
  }
}

type Timings = Partial<Record<FlashStep, number>>;

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

function refuse(code: LoadRefusalCode, reason: string): LoadResult {
  return { ok: false, code, reason };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
