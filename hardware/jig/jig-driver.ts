/**
 * Host side of the multi-jig protocol: request/response matched by sequence number,
 * a timeout on every request, writes in order through the transport's one queue, and
 * the jig's unasked slot events passed on. It knows bytes and commands, not hubs or
 * bookings: the jig service decides what to flash.
 */
import { EventEmitter } from "node:events";
import type { HidTransport } from "../hid/hid-transport";
import type {
  AnsweredKind,
  JigEvent,
  JigRequest,
  JigResponseBody,
  JigStatus,
  RequestKind,
  SlotState,
} from "./messages";
import { decodeMessage, encodeImageChunk, encodeMessage, MAX_CHUNK, MAX_WINDOW } from "./messages";
import { REPORT_SIZE } from "./frame";

/** A request the jig answers (every one but `image-chunk-more`). */
export type AnsweredRequest = Extract<JigRequest, { kind: AnsweredKind }>;

/**
 * The host's window: image chunks sent per acknowledgement when the jig takes that many
 * (its `begin-image` answer says how many it does). Measured with bench/jig.ts, 3 jigs x 8
 * slots, 1 MiB images: see docs/jig-protocol.md, "Flashing one hub".
 */
export const IMAGE_WINDOW = 16;

/** Why a jig request failed: the jig refused it, never answered, went away, or spoke garbage. */
export type JigErrorCode = "refused" | "timeout" | "disconnected" | "protocol";

export class JigError extends Error {
  constructor(
    readonly code: JigErrorCode,
    readonly request: RequestKind,
    readonly slot: number | null,
    message: string,
    /** The jig's own status when it refused. */
    readonly status?: Exclude<JigStatus, "ok">,
  ) {
    super(message);
    this.name = "JigError";
  }
}

export interface JigDriverOptions {
  /** How long a request may wait for its answer. */
  timeoutMs?: number;
  /** Most image chunks in flight a slot, one acknowledgement each (1 to MAX_WINDOW; default IMAGE_WINDOW). */
  imageWindow?: number;
}

export interface JigIdentity {
  serial: string;
  slotCount: number;
  firmware: string;
}

export interface HubIdentity {
  deviceId: string;
  model: string;
  firmwareVersion: string;
}

export type JigDriverEvents = {
  /** An unasked slot event from the jig. */
  event: [event: JigEvent];
  /** The jig went away; every pending request has been rejected. */
  disconnect: [reason: string];
  /** A report that failed to decode (corrupted on the wire) and was dropped. */
  rejected: [reason: string];
};

interface Pending {
  kind: AnsweredKind;
  slot: number | null;
  resolve: (body: JigResponseBody) => void;
  reject: (error: JigError) => void;
  /** When it times out (Date.now() ms); restarted by progress when `extendOnProgress`. */
  deadline: number;
  timeoutMs: number;
  /** Liveness: a progress event for this slot restarts the timer (commit runs for minutes). */
  extendOnProgress: boolean;
}

export class JigDriver extends EventEmitter<JigDriverEvents> {
  private readonly pending = new Map<number, Pending>();
  /**
   * One timer for all pending requests, due at the earliest deadline or before it (a
   * request, or progress, only moves deadlines later or adds one). Not a timer a request:
   * an image goes out as about a thousand requests a hub, and arming and clearing a timer
   * for each was a real part of the host's CPU.
   */
  private timer: NodeJS.Timeout | null = null;
  private timerDue = Infinity;
  private seq = 0;
  private readonly timeoutMs: number;
  private readonly imageWindow: number;
  /** The window each slot's jig announced in its last `begin-image` answer. */
  private readonly slotWindows = new Map<number, number>();
  private unsubscribes: Array<() => void> = [];
  /** Reports dropped as corrupted since open. */
  rejectedReports = 0;

  constructor(
    readonly transport: HidTransport,
    options: JigDriverOptions = {},
  ) {
    super();
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.imageWindow = options.imageWindow ?? IMAGE_WINDOW;
    if (!Number.isInteger(this.imageWindow) || this.imageWindow < 1 || this.imageWindow > MAX_WINDOW)
      throw new RangeError(`image window ${this.imageWindow} outside 1-${MAX_WINDOW}`);
  }

  get connected(): boolean {
    return this.transport.isOpen;
  }

  /** Opens the transport and starts listening. */
  async open(): Promise<void> {
    this.unsubscribes.forEach((u) => u());
    this.unsubscribes = [
      this.transport.onReport((r) => this.onReport(r)),
      this.transport.onDetach((reason) => this.onDetach(reason)),
    ];
    await this.transport.open();
  }

  /** Closes the transport; pending requests fail as disconnected. */
  async close(): Promise<void> {
    await this.transport.close();
    this.onDetach("closed by host");
    this.unsubscribes.forEach((u) => u());
    this.unsubscribes = [];
  }

  /** Asks the jig who it is. */
  async identify(): Promise<JigIdentity> {
    const b = await this.request({ kind: "identify" });
    if (b.kind !== "identify") throw this.mismatch("identify", null);
    return { serial: b.serial, slotCount: b.slotCount, firmware: b.firmware };
  }

  /** A slot's state and programming progress. */
  async slotStatus(slot: number): Promise<{ state: SlotState; progress: number }> {
    const b = await this.request({ kind: "slot-status", slot });
    if (b.kind !== "slot-status") throw this.mismatch("slot-status", slot);
    return { state: b.state, progress: b.progress };
  }

  /** The seated hub's Device ID, model and running firmware version. */
  async readIdentity(slot: number): Promise<HubIdentity> {
    const b = await this.request({ kind: "read-identity", slot });
    if (b.kind !== "read-identity") throw this.mismatch("read-identity", slot);
    return { deviceId: b.deviceId, model: b.model, firmwareVersion: b.firmwareVersion };
  }

  /** Sends the hub's existing unlock command (A-004). */
  async unlock(slot: number): Promise<void> {
    await this.request({ kind: "unlock", slot });
  }

  /** Announces an image: its size, target version and SHA-256; the jig answers with its window. */
  async beginImage(slot: number, image: { size: number; version: string; sha256: Uint8Array }): Promise<void> {
    const b = await this.request({ kind: "begin-image", slot, ...image });
    if (b.kind !== "begin-image") throw this.mismatch("begin-image", slot);
    this.slotWindows.set(slot, b.window);
  }

  /**
   * Streams the image a window at a time: up to W-1 `image-chunk-more` (unanswered) and one
   * `image-chunk` whose answer acknowledges the window, W = the smaller of the host's window
   * and the one the jig announced at `begin-image` (1, every chunk answered, if none was).
   * One window in flight a slot. A failure anywhere in the window comes back as the refusal
   * of its closing chunk; a lost report as that chunk's timeout. Returns bytes the jig holds.
   */
  async writeImage(slot: number, image: Uint8Array, onChunk?: (sent: number) => void): Promise<number> {
    const window = Math.min(this.imageWindow, this.slotWindows.get(slot) ?? 1);
    let offset = 0;
    while (offset < image.length) {
      const end = Math.min(offset + window * MAX_CHUNK, image.length);
      let at = offset;
      let lost: unknown = null;
      const onLost = (error: unknown): void => void (lost ??= error);
      // The unanswered chunks' reports, cut from one allocation (each written once, never reused).
      const reports = new Uint8Array(Math.ceil((end - offset) / MAX_CHUNK - 1) * REPORT_SIZE);
      for (let i = 0; end - at > MAX_CHUNK; at += MAX_CHUNK, i++) {
        const more = { kind: "image-chunk-more" as const, slot, offset: at, data: image.subarray(at, at + MAX_CHUNK) };
        this.post(more, reports.subarray(i * REPORT_SIZE, (i + 1) * REPORT_SIZE)).catch(onLost);
      }
      let b: JigResponseBody;
      try {
        b = await this.request({ kind: "image-chunk", slot, offset: at, data: image.subarray(at, end) });
      } catch (error) {
        throw lost === null ? error : this.writeFailed("image-chunk", slot, lost);
      }
      // Writes go out in order, so an earlier one that failed has settled by now.
      if (lost !== null) throw this.writeFailed("image-chunk", slot, lost);
      if (b.kind !== "image-chunk") throw this.mismatch("image-chunk", slot);
      if (b.received !== end)
        throw new JigError("protocol", "image-chunk", slot, `jig holds ${b.received} bytes, sent ${end}`);
      offset = end;
      onChunk?.(offset);
    }
    return offset;
  }

  /** Asks the jig to finish programming; waits as long as progress keeps coming. */
  async commit(slot: number, idleTimeoutMs?: number): Promise<void> {
    await this.request({ kind: "commit", slot }, { timeoutMs: idleTimeoutMs, extendOnProgress: true });
  }

  /** The SHA-256 the jig computes over what it programmed. */
  async verify(slot: number): Promise<Uint8Array> {
    const b = await this.request({ kind: "verify", slot });
    if (b.kind !== "verify") throw this.mismatch("verify", slot);
    return b.sha256;
  }

  /** Sends a request the jig does not answer (`image-chunk-more`); resolves once written. */
  private post(request: Extract<JigRequest, { kind: "image-chunk-more" }>, into: Uint8Array): Promise<void> {
    if (!this.transport.isOpen)
      return Promise.reject(new JigError("disconnected", request.kind, request.slot, "jig is not connected"));
    // Numbered like any request (skipping those in flight), but never pending: any answer
    // with this number is unmatched and dropped.
    return this.transport.write(encodeImageChunk(this.nextSeq(), request, into));
  }

  /** Sends one request and waits for its matching response. */
  request(
    request: AnsweredRequest,
    options: { timeoutMs?: number | undefined; extendOnProgress?: boolean } = {},
  ): Promise<JigResponseBody> {
    const slot = request.kind === "identify" ? null : request.slot;
    if (!this.transport.isOpen)
      return Promise.reject(new JigError("disconnected", request.kind, slot, "jig is not connected"));
    const seq = this.nextSeq();
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    return new Promise<JigResponseBody>((resolve, reject) => {
      const deadline = Date.now() + timeoutMs;
      const p: Pending = {
        kind: request.kind,
        slot,
        resolve,
        reject,
        timeoutMs,
        extendOnProgress: options.extendOnProgress ?? false,
        deadline,
      };
      this.pending.set(seq, p);
      if (deadline < this.timerDue) this.armTimer(deadline);
      this.transport.write(encodeMessage({ dir: "request", seq, request })).catch((error: unknown) => {
        this.settle(seq)?.reject(this.writeFailed(request.kind, slot, error));
      });
    });
  }

  private armTimer(due: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(() => this.expire(), Math.max(0, due - Date.now()));
  }

  /** Rejects every request past its deadline, then waits for the earliest one left. */
  private expire(): void {
    this.timer = null;
    this.timerDue = Infinity;
    const now = Date.now();
    let next = Infinity;
    for (const [seq, p] of [...this.pending]) {
      if (p.deadline <= now) {
        this.settle(seq);
        p.reject(
          new JigError(
            "timeout",
            p.kind,
            p.slot,
            `no answer to ${p.kind}${p.slot === null ? "" : ` on slot ${p.slot + 1}`} within ${p.timeoutMs} ms`,
          ),
        );
      } else next = Math.min(next, p.deadline);
    }
    if (next !== Infinity && this.timer === null) this.armTimer(next);
  }

  private onReport(report: Uint8Array): void {
    const decoded = decodeMessage(report);
    if (!decoded.ok) {
      this.rejectedReports++;
      this.emit("rejected", decoded.reason);
      return;
    }
    const m = decoded.message;
    if (m.dir === "event") {
      if (m.event.kind === "progress") this.touch(m.event.slot);
      this.emit("event", m.event);
      return;
    }
    if (m.dir !== "response") return;
    const p = this.pending.get(m.seq);
    const r = m.response;
    const kind = r.ok ? r.body.kind : r.kind;
    // A late answer to a request that already timed out, or one that does not fit the
    // request with this number, is dropped rather than handed to the wrong caller.
    if (!p || p.kind !== kind || (p.slot ?? 0xff) !== r.slot) {
      this.emit("rejected", `unmatched ${kind} response seq ${m.seq}`);
      return;
    }
    this.settle(m.seq);
    if (r.ok) p.resolve(r.body);
    else p.reject(new JigError("refused", r.kind, p.slot, r.message, r.status));
  }

  private touch(slot: number): void {
    for (const p of this.pending.values()) {
      // Only later: the shared timer, due no later than the old deadline, finds the new one when it fires.
      if (p.extendOnProgress && p.slot === slot) p.deadline = Date.now() + p.timeoutMs;
    }
  }

  private onDetach(reason: string): void {
    // A jig that comes back may be another firmware: it announces its window again at begin-image.
    this.slotWindows.clear();
    for (const seq of [...this.pending.keys()]) {
      const p = this.settle(seq);
      p?.reject(new JigError("disconnected", p.kind, p.slot, reason));
    }
    this.emit("disconnect", reason);
  }

  private settle(seq: number): Pending | undefined {
    const p = this.pending.get(seq);
    if (!p) return undefined;
    this.pending.delete(seq);
    if (this.pending.size === 0 && this.timer) {
      // Nothing left to time out: no timer holds the process open.
      clearTimeout(this.timer);
      this.timer = null;
      this.timerDue = Infinity;
    }
    return p;
  }

  private nextSeq(): number {
    // u16 sequence numbers wrap; skip any still awaiting an answer.
    do this.seq = (this.seq + 1) & 0xffff;
    while (this.pending.has(this.seq));
    return this.seq;
  }

  private writeFailed(kind: RequestKind, slot: number | null, error: unknown): JigError {
    return new JigError(
      "disconnected",
      kind,
      slot,
      `write failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }

  private mismatch(kind: RequestKind, slot: number | null): JigError {
    return new JigError("protocol", kind, slot, `jig answered ${kind} with the wrong body`);
  }
}
