/**
 * SimulatedJig: the device side of our multi-jig, speaking the same report bytes as a
 * real one (docs/jig-protocol.md) over an in-memory HID link. Used by tests, the bench
 * and the browser-shell demo, with fault injection for every failure the jig service
 * must survive.
 *
 * Timing model: the jig takes image chunks at USB speed into a buffer, a window of them per
 * acknowledgement (`image-chunk-more` … `image-chunk`), and programs the hub in the
 * background; programming of a hub takes `flashTimeMs` from `begin-image`, and `commit` is
 * answered when it is done. Progress events tick meanwhile.
 * Hubs are modelled as A/B-bank devices: the running firmware version changes only when
 * programming completes, so an interrupted flash leaves the old version readable.
 */
import { createHash } from "node:crypto";
import type { Hash } from "node:crypto";
import type { HidDeviceInfo } from "../hid/hid-transport";
import type { MemoryTransportPair, SimulatedDeviceEnd } from "../hid/memory-transport";
import { createMemoryTransportPair } from "../hid/memory-transport";
import { JIG_SLOT } from "./frame";
import type { JigEvent, JigRequest, JigResponse, JigResponseBody, JigStatus, RequestKind, SlotState } from "./messages";
import { decodeMessage, encodeMessage, MAX_WINDOW } from "./messages";

/** A Communications Hub as the jig sees it. */
export interface SimulatedHub {
  deviceId: string;
  model: string;
  firmwareVersion: string;
}

/** Faults a hub (or its slot) shows when flashed. */
export interface HubFaults {
  /** Refuse the unlock command this many times (Infinity: always). */
  unlockRefusals?: number;
  /** Fail the image write when the chunk (plain or windowed) covering this byte offset arrives. */
  writeErrorAtByte?: number;
  /** The hash the jig computes on verify does not match what was sent. */
  verifyMismatch?: boolean;
  /**
   * The slot stops answering from the first request of this kind onwards; `image-chunk`
   * hangs at the image's first chunk, windowed (`image-chunk-more`) or not.
   */
  hangAt?: RequestKind;
  /** The hub reports this Device ID instead of its own (wrong hub in the slot, mislabelled). */
  reportDeviceId?: string;
  /** Programming completes but the hub keeps reporting this version. */
  versionAfterFlash?: string;
}

export interface SeatOptions {
  flashTimeMs?: number;
  faults?: HubFaults;
}

export interface SimulatedJigOptions {
  serial: string;
  firmware?: string;
  slotCount?: number;
  /** Default time to program one hub. */
  flashTimeMs?: number;
  /** Progress events per flash. */
  progressTicks?: number;
  /**
   * Chunks the jig takes per acknowledgement (its buffer depth a slot), announced in the
   * answer to `begin-image`; 1 makes every chunk a plain, answered `image-chunk`.
   */
  window?: number;
}

/** The simulator's buffer depth: as deep as the protocol allows, so the host's own window governs. */
const SIMULATED_JIG_WINDOW = MAX_WINDOW;

interface Slot {
  hub: SimulatedHub | null;
  state: SlotState;
  faults: HubFaults;
  flashTimeMs: number;
  unlockRefusals: number;
  hung: boolean;
  image: Uint8Array | null;
  /** Hashed as chunks arrive, as a jig would while writing, so verify answers at once. */
  hash: Hash | null;
  programmedSha: Uint8Array | null;
  received: number;
  expectedSha: Uint8Array | null;
  version: string;
  startedAt: number;
  progress: number;
  timers: NodeJS.Timeout[];
  /** A commit waiting for programming to finish. */
  commitSeq: number | null;
  /** `image-chunk-more` reports taken since the last `image-chunk` closed a window. */
  windowTaken: number;
  /**
   * The first failure in the open window: the rest of the window is ignored and the
   * `image-chunk` that closes it is answered with this.
   */
  windowFailure: { status: Exclude<JigStatus, "ok">; message: string } | null;
}

/** Builds the info a simulated jig enumerates with. */
export function simulatedJigInfo(serial: string): HidDeviceInfo {
  return {
    path: `sim://jig/${serial}`,
    vendorId: 0x1209,
    productId: 0x4a16,
    serialNumber: serial,
    product: "Re-Flash Multi-Jig (simulated)",
    usagePage: 0xff00,
    usage: 1,
  };
}

export class SimulatedJig {
  readonly serial: string;
  private readonly slots: Slot[];
  private readonly options: Required<SimulatedJigOptions>;
  private eventSeq = 0;
  /** Every begin-image the jig accepted: tests count flashes with it. */
  readonly imagesBegun: Array<{ slot: number; deviceId: string; version: string }> = [];
  private powered = true;
  private unsubscribe: () => void;

  constructor(
    private readonly device: SimulatedDeviceEnd,
    options: SimulatedJigOptions,
  ) {
    this.options = {
      firmware: "JIG-1.4.0",
      slotCount: 8,
      flashTimeMs: 60_000,
      progressTicks: 10,
      window: SIMULATED_JIG_WINDOW,
      ...options,
    };
    if (!Number.isInteger(this.options.window) || this.options.window < 1 || this.options.window > MAX_WINDOW)
      throw new RangeError(`window ${this.options.window} outside 1-${MAX_WINDOW}`);
    this.serial = options.serial;
    this.slots = Array.from({ length: this.options.slotCount }, () => this.emptySlot());
    this.unsubscribe = device.onReport((r) => this.onReport(r));
  }

  /** A jig with its own in-memory link; `pair.host` is what the driver opens. */
  static create(options: SimulatedJigOptions): { jig: SimulatedJig; pair: MemoryTransportPair } {
    const pair = createMemoryTransportPair(simulatedJigInfo(options.serial));
    return { jig: new SimulatedJig(pair.device, options), pair };
  }

  /** A technician seats a hub in a slot. */
  seatHub(slot: number, hub: SimulatedHub, options: SeatOptions = {}): void {
    const s = this.slot(slot);
    if (s.hub) throw new Error(`slot ${slot} already holds ${s.hub.deviceId}`);
    Object.assign(s, this.emptySlot(), {
      hub,
      state: "seated" as SlotState,
      faults: options.faults ?? {},
      flashTimeMs: options.flashTimeMs ?? this.options.flashTimeMs,
      unlockRefusals: options.faults?.unlockRefusals ?? 0,
    });
    this.emit({ kind: "hub-seated", slot });
  }

  /** A technician takes the hub out; returns it in whatever state flashing left it. */
  removeHub(slot: number): SimulatedHub | null {
    const s = this.slot(slot);
    const hub = s.hub;
    this.abort(s);
    Object.assign(s, this.emptySlot());
    if (hub) this.emit({ kind: "hub-removed", slot });
    return hub;
  }

  hubIn(slot: number): SimulatedHub | null {
    return this.slot(slot).hub;
  }

  stateOf(slot: number): SlotState {
    return this.slot(slot).state;
  }

  /** Image bytes the slot has taken so far (tests check that nothing after a refused chunk was). */
  bytesHeld(slot: number): number {
    return this.slot(slot).received;
  }

  /** The USB cable is pulled: the host sees a detach; slots keep running on the jig's own power. */
  disconnect(): void {
    this.device.detach("jig disconnected");
  }

  /** The cable is plugged back in. */
  reconnect(): void {
    this.device.reattach();
  }

  /** Power cut: the jig drops off USB and every slot loses its work; hubs stay seated, unflashed. */
  powerCut(): void {
    this.powered = false;
    for (const s of this.slots) {
      this.abort(s);
      if (s.hub)
        Object.assign(s, {
          state: "seated" as SlotState,
          image: null,
          hash: null,
          programmedSha: null,
          received: 0,
          progress: 0,
          hung: false,
          windowTaken: 0,
          windowFailure: null,
        });
    }
    this.device.detach("jig lost power");
  }

  /** Power returns: the jig re-enumerates and announces the hubs it finds seated. */
  restorePower(): void {
    this.powered = true;
    this.device.reattach();
  }

  /** Announces seated hubs again (a real jig does this once the host opens it after boot). */
  announceSeated(): void {
    this.slots.forEach((s, slot) => {
      if (s.hub) this.emit({ kind: "hub-seated", slot });
    });
  }

  /** Stops all timers (end of a test). */
  dispose(): void {
    for (const s of this.slots) this.abort(s);
    this.unsubscribe();
  }

  private onReport(report: Uint8Array): void {
    if (!this.powered) return;
    const decoded = decodeMessage(report);
    // A real jig drops a corrupted frame silently; the host's timeout covers it.
    if (!decoded.ok || decoded.message.dir !== "request") return;
    const { seq, request } = decoded.message;
    if (request.kind === "identify") {
      this.respond(seq, {
        ok: true,
        slot: JIG_SLOT,
        body: { kind: "identify", serial: this.serial, slotCount: this.slots.length, firmware: this.options.firmware },
      });
      return;
    }
    const s = this.slots[request.slot];
    if (!s) {
      // An unanswered chunk for a slot the jig lacks is dropped; the closing chunk is refused.
      if (request.kind === "image-chunk-more") return;
      this.refuse(seq, request, "bad-request", `no slot ${request.slot}`);
      return;
    }
    const faultKind = request.kind === "image-chunk-more" ? "image-chunk" : request.kind;
    if (s.hung || s.faults.hangAt === request.kind || s.faults.hangAt === faultKind) {
      s.hung = true;
      return;
    }
    this.handle(seq, request, s);
  }

  private handle(seq: number, request: Exclude<JigRequest, { kind: "identify" }>, s: Slot): void {
    if (request.kind === "image-chunk-more") return this.takeMore(request, s);
    const ok = (body: JigResponseBody) => this.respond(seq, { ok: true, slot: request.slot, body });
    if (request.kind === "slot-status") return ok({ kind: "slot-status", state: s.state, progress: s.progress });
    if (!s.hub) return this.refuse(seq, request, "no-hub", "no hub seated");
    const hub = s.hub;
    switch (request.kind) {
      case "read-identity":
        return ok({
          kind: "read-identity",
          deviceId: s.faults.reportDeviceId ?? hub.deviceId,
          model: hub.model,
          firmwareVersion: hub.firmwareVersion,
        });
      case "unlock":
        if (s.state === "programming") return this.refuse(seq, request, "bad-state", "cannot unlock while programming");
        if (s.unlockRefusals > 0) {
          s.unlockRefusals--;
          return this.refuse(seq, request, "unlock-refused", "hub refused the unlock command");
        }
        // Unlocking again starts over: a host that lost track (crash, retry) re-sends the image.
        this.abort(s);
        Object.assign(s, {
          state: "unlocked",
          image: null,
          hash: null,
          programmedSha: null,
          received: 0,
          progress: 0,
          windowTaken: 0,
          windowFailure: null,
        });
        return ok({ kind: "unlock" });
      case "begin-image":
        if (s.state !== "unlocked") return this.refuse(seq, request, "bad-state", `begin-image while ${s.state}`);
        if (request.size === 0 || request.size > 64 * 1024 * 1024)
          return this.refuse(seq, request, "bad-request", `image size ${request.size} out of range`);
        this.imagesBegun.push({ slot: request.slot, deviceId: hub.deviceId, version: request.version });
        Object.assign(s, {
          state: "receiving",
          image: new Uint8Array(request.size),
          hash: createHash("sha256"),
          programmedSha: null,
          received: 0,
          expectedSha: request.sha256,
          version: request.version,
          startedAt: Date.now(),
          progress: 0,
          windowTaken: 0,
          windowFailure: null,
        });
        this.startProgress(request.slot, s);
        return ok({ kind: "begin-image", window: this.options.window });
      case "image-chunk": {
        // Closes a window (of one chunk when no image-chunk-more came before it): one answer.
        const failure = s.windowFailure ?? this.write(request, s);
        s.windowTaken = 0;
        s.windowFailure = null;
        if (failure) return this.refuse(seq, request, failure.status, failure.message);
        return ok({ kind: "image-chunk", received: s.received });
      }
      case "commit": {
        if (s.state !== "receiving" || !s.image)
          return this.refuse(seq, request, "bad-state", `commit while ${s.state}`);
        if (s.received !== s.image.length)
          return this.refuse(seq, request, "image-incomplete", `received ${s.received} of ${s.image.length} bytes`);
        s.state = "programming";
        s.commitSeq = seq;
        const wait = Math.max(0, s.startedAt + s.flashTimeMs - Date.now());
        s.timers.push(setTimeout(() => this.finishProgramming(request.slot, s), wait));
        return;
      }
      case "verify": {
        if (s.state !== "programmed" || !s.programmedSha)
          return this.refuse(seq, request, "bad-state", `verify while ${s.state}`);
        const sha = s.programmedSha.slice();
        if (s.faults.verifyMismatch) sha[0] = (sha[0] ?? 0) ^ 0xff;
        return ok({ kind: "verify", sha256: sha });
      }
    }
  }

  /**
   * An unanswered chunk: written as an answered one would be, or its failure kept for the
   * window's closing `image-chunk`. After a failure the rest of the window is ignored, so
   * nothing after a refused chunk is ever written.
   */
  private takeMore(request: Extract<JigRequest, { kind: "image-chunk-more" }>, s: Slot): void {
    if (s.windowFailure) return;
    s.windowTaken++;
    if (s.windowTaken >= this.options.window)
      s.windowFailure = {
        status: "bad-request",
        message: `window overrun: more than ${this.options.window - 1} image-chunk-more before an image-chunk`,
      };
    else s.windowFailure = this.write(request, s);
  }

  /** Writes one chunk at the slot's next offset, or says why not (the slot is left as it was, or failed). */
  private write(
    request: Extract<JigRequest, { kind: "image-chunk" | "image-chunk-more" }>,
    s: Slot,
  ): { status: Exclude<JigStatus, "ok">; message: string } | null {
    if (!s.hub) return { status: "no-hub", message: "no hub seated" };
    if (s.state !== "receiving" || !s.image) return { status: "bad-state", message: `image-chunk while ${s.state}` };
    if (request.offset !== s.received)
      return { status: "bad-request", message: `chunk at ${request.offset}, expected ${s.received}` };
    const end = request.offset + request.data.length;
    if (end > s.image.length)
      return { status: "bad-request", message: `chunk ends at ${end}, past image size ${s.image.length}` };
    const at = s.faults.writeErrorAtByte;
    if (at !== undefined && at >= request.offset && at < end) {
      this.abort(s);
      s.state = "failed";
      const message = `flash write failed at 0x${at.toString(16)}`;
      this.emit({ kind: "error", slot: request.slot, status: "write-error", message });
      return { status: "write-error", message };
    }
    s.image.set(request.data, request.offset);
    s.hash?.update(request.data);
    s.received = end;
    return null;
  }

  private finishProgramming(slot: number, s: Slot): void {
    const seq = s.commitSeq;
    this.abort(s);
    if (!s.hub || seq === null) return;
    s.hub.firmwareVersion = s.faults.versionAfterFlash ?? s.version;
    s.programmedSha = s.hash ? new Uint8Array(s.hash.digest()) : null;
    s.hash = null;
    s.state = "programmed";
    s.progress = 100;
    this.emit({ kind: "progress", slot, percent: 100, bytesWritten: s.received });
    this.respond(seq, { ok: true, slot, body: { kind: "commit" } });
  }

  private startProgress(slot: number, s: Slot): void {
    const ticks = this.options.progressTicks;
    const every = s.flashTimeMs / ticks;
    if (every < 1) return;
    for (let i = 1; i < ticks; i++) {
      s.timers.push(
        setTimeout(() => {
          if (s.state !== "receiving" && s.state !== "programming") return;
          s.progress = Math.floor((i * 100) / ticks);
          this.emit({ kind: "progress", slot, percent: s.progress, bytesWritten: s.received });
        }, every * i),
      );
    }
  }

  private abort(s: Slot): void {
    for (const t of s.timers) clearTimeout(t);
    s.timers = [];
    s.commitSeq = null;
  }

  private refuse(
    seq: number,
    request: Exclude<JigRequest, { kind: "identify" | "image-chunk-more" }>,
    status: Exclude<JigStatus, "ok">,
    message: string,
  ): void {
    this.respond(seq, { ok: false, slot: request.slot, kind: request.kind, status, message });
  }

  private respond(seq: number, response: JigResponse): void {
    this.device.send(encodeMessage({ dir: "response", seq, response }));
  }

  private emit(event: JigEvent): void {
    this.eventSeq = (this.eventSeq + 1) & 0xffff;
    this.device.send(encodeMessage({ dir: "event", seq: this.eventSeq, event }));
  }

  private slot(slot: number): Slot {
    const s = this.slots[slot];
    if (!s) throw new RangeError(`jig ${this.serial} has no slot ${slot}`);
    return s;
  }

  private emptySlot(): Slot {
    return {
      hub: null,
      state: "empty",
      faults: {},
      flashTimeMs: this.options?.flashTimeMs ?? 60_000,
      unlockRefusals: 0,
      hung: false,
      image: null,
      hash: null,
      programmedSha: null,
      received: 0,
      expectedSha: null,
      version: "00000000",
      startedAt: 0,
      progress: 0,
      timers: [],
      commitSeq: null,
      windowTaken: 0,
      windowFailure: null,
    };
  }
}
