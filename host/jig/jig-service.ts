/**
 * The jig service: binds scanned hubs to jig slots, flashes up to 8 hubs a jig in
 * parallel across N jigs, journals every result until the renderer has stored it, and
 * recovers in-flight flashes after a crash without repeating a completed one.
 *
 * It owns the jigs and slots; its parts each live in their own file: whether a hub may
 * go into a slot (./admission.ts), one hub flashed in one slot with its retries and result
 * (./flash-attempt.ts), and the judging of attempts a crash interrupted (./crash-recovery.ts).
 * One slot's failure never touches another slot.
 */
import { EventEmitter } from "node:events";
import { newEventId } from "../../shared/domain/ids";
import type { FirmwareStore, VerifiedImage } from "../../hardware/firmware/firmware-store";
import type { FirmwareCatalogue } from "../../hardware/firmware/manifest";
import type { JigLink as JigDriver } from "../../hardware/jig/jig-link";
import type { JigEvent } from "../../hardware/jig/messages";
import {
  admitLoad,
  type AdmissionContext,
  type BookedHubLookup,
  type LoadRefusalCode,
  type LoadRequest,
} from "./admission";
import { recoverInterrupted, type RecoveryContext, type RecoverySummary } from "./crash-recovery";
import type { FlashJournal, JournalItem } from "./flash-journal";
import { runSlot } from "./flash-attempt";
import type { RetryPolicy } from "./retry-policy";
import { DEFAULT_RETRY_POLICY } from "./retry-policy";
import { emptySlotView, Killed, slotKey as key, type SlotRun, type SlotView, type TargetImage } from "./slot-run";

export type { BookedHubLookup, LoadRefusalCode, LoadRequest } from "./admission";
export type { RecoverySummary } from "./crash-recovery";
export type { SlotPhase, SlotView } from "./slot-run";

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

export type LoadResult =
  | { ok: true; deviceId: string; toVersion: string; done: Promise<SlotView> }
  | { ok: false; code: LoadRefusalCode; reason: string };

export interface ManualFaultReport {
  deviceId: string;
  notes: string;
  /** The damage found, as the technician typed it (the reason the hub cannot be analysed). */
  damage?: string;
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

  /** What the flash attempt and crash recovery reach the service through. */
  private readonly ctx: RecoveryContext;
  private readonly admission: AdmissionContext;

  constructor(private readonly options: JigServiceOptions) {
    super();
    this.policy = options.retry ?? DEFAULT_RETRY_POLICY;
    this.now = options.now ?? (() => new Date());
    this.ctx = {
      policy: this.policy,
      commitIdleTimeoutMs: options.commitIdleTimeoutMs ?? 30_000,
      seatTimeoutMs: options.seatTimeoutMs ?? 60_000,
      now: () => this.now(),
      driverFor: (jigId) => this.jigs.get(jigId)?.driver,
      waitForJig: (run) => this.waitForJig(run),
      checkTarget: (model, target) => this.checkTarget(model, target),
      ownAttempt: (attemptId) => void this.ownAttempts.add(attemptId),
      publish: (run) => this.publish(run),
      alive: () => this.alive(),
      append: (record) => this.append(record),
      record: (item) => this.record(item),
      interrupted: () => options.journal.interrupted(),
      isOwnAttempt: (attemptId) => this.ownAttempts.has(attemptId),
      recovering: this.recovering,
      connectedDriver: (jigId) => {
        const jig = this.jigs.get(jigId);
        return jig?.connected ? jig.driver : undefined;
      },
      slots: this.slots,
      emitSlot: (view) => void this.emit("slot", view),
      isKilled: () => this.killed,
      startRun: (run, attemptsBefore) => runSlot(this.ctx, run, attemptsBefore),
    };
    this.admission = {
      jig: (jigId) => this.jigs.get(jigId),
      slots: this.slots,
      journal: options.journal,
      isOwnAttempt: (attemptId) => this.ownAttempts.has(attemptId),
      lookupHub: options.lookupHub,
      firmware: options.firmware,
      catalogue: options.catalogue,
    };
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
    const admitted = admitLoad(this.admission, req);
    if (!admitted.ok) {
      // Asking is also the cue to try reading that slot again (the jig may be back by now).
      if (admitted.recover) void this.recover().catch(() => undefined);
      return { ok: false, code: admitted.code, reason: admitted.reason };
    }
    const { deviceId, booked, image, needsOverride } = admitted;
    // The slot is taken before any await, so two scans racing for one slot cannot both win.
    const run: SlotRun = {
      view: { ...emptySlotView(req.jigId, req.slot), phase: "flashing", deviceId },
      bookedModel: booked.hub.deviceModel,
      bookedVersion: booked.hub.firmwareVersion,
      target: { version: image.version, sha256Hex: image.sha256Hex },
      fromVersion: null,
      readBack: null,
      failures: [],
      identified: false,
      seatedWaiters: new Set(),
    };
    this.slots.set(key(req.jigId, req.slot), run);
    if (needsOverride && req.override) {
      try {
        // The supervisor's decision is journalled (audit) before the second flash starts.
        await this.append({
          t: "override",
          deviceId,
          toVersion: image.version,
          supervisorId: req.override.supervisorId,
          reason: req.override.reason,
          at: this.now().toISOString(),
        });
      } catch (error) {
        this.slots.delete(key(req.jigId, req.slot));
        throw error;
      }
    }
    this.publish(run);
    const done = runSlot(this.ctx, run, 0).then(() => ({ ...run.view }));
    return { ok: true, deviceId, toVersion: image.version, done };
  }

  /** The technician took a finished hub out (also done by the jig's hub-removed event). */
  unload(jigId: string, slot: number): { ok: true } | { ok: false; reason: string } {
    const run = this.slots.get(key(jigId, slot));
    if (!run) return { ok: true };
    if (run.view.phase !== "flashed" && run.view.phase !== "failed")
      return { ok: false, reason: `slot ${slot + 1} is still ${run.view.phase}` };
    this.slots.delete(key(jigId, slot));
    this.emit("slot", emptySlotView(jigId, slot));
    // An interrupted attempt left waiting for this slot can be judged now.
    if (
      this.recoveryRequested &&
      this.options.journal
        .interrupted()
        .some((a) => a.jigId === jigId && a.slot === slot && !this.ownAttempts.has(a.attemptId))
    )
      void this.recover().catch(() => undefined);
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

  /**
   * A person's Fault Analysis Report for a hub too damaged to analyse. Refused (null, with why)
   * while the hub is on a jig that has not finished with it: the jig's own result comes first.
   */
  async fileManualFaultReport(
    report: ManualFaultReport,
  ): Promise<{ ok: true; item: JournalItem } | { ok: false; reason: string }> {
    for (const run of this.slots.values())
      if (run.view.deviceId === report.deviceId && run.view.phase !== "failed" && run.view.phase !== "flashed")
        return {
          ok: false,
          reason: `hub ${report.deviceId} is still on ${run.view.jigId} slot ${run.view.slot + 1} (${run.view.phase}): wait for it to finish`,
        };
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
        ...(report.damage !== undefined ? { damage: report.damage } : {}),
      },
    };
    await this.record(item);
    return { ok: true, item };
  }

  /**
   * After a restart: resolves every attempt the journal shows in flight, by reading its
   * slot (./crash-recovery.ts says how each is judged). Resolves once every attempt is
   * judged or left waiting; `settled` when the resumed flashes are done.
   */
  async recover(): Promise<RecoverySummary> {
    this.recoveryRequested = true;
    return recoverInterrupted(this.ctx);
  }

  /** Crash simulation for tests: the service stops dead, writing nothing more. */
  kill(): void {
    this.killed = true;
    for (const j of this.jigs.values()) j.off();
    for (const j of this.jigs.values()) for (const w of j.reconnectWaiters) w();
    for (const r of this.slots.values()) for (const w of r.seatedWaiters) w();
  }

  /** The verified image for `target` if the catalogue still names it for `model`; else why not (withdrawn, replaced, not held). */
  private checkTarget(
    model: string,
    target: TargetImage,
  ): { ok: true; image: VerifiedImage } | { ok: false; reason: string } {
    const catalogue = this.options.catalogue();
    const prepared = this.options.firmware.prepare(catalogue, model);
    if (!prepared.ok) {
      // Name what happened to this image (withdrawn, say) where the store can tell, not only that nothing is sendable.
      const own = this.options.firmware.verifyImage(target.sha256Hex, model, catalogue);
      return {
        ok: false,
        reason: `firmware ${target.version} can no longer be sent: ${own.ok ? prepared.reason : own.reason}`,
      };
    }
    if (prepared.image.sha256Hex !== target.sha256Hex)
      return {
        ok: false,
        reason: `the catalogue's target for model ${model} is now ${prepared.image.version} (sha256 ${prepared.image.sha256Hex.slice(0, 12)}…), not ${target.version} (sha256 ${target.sha256Hex.slice(0, 12)}…)`,
      };
    return { ok: true, image: prepared.image };
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
    return run ? { ...run.view } : emptySlotView(jigId, slot);
  }
}
