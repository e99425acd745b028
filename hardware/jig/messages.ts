/**
 * The messages of the multi-jig protocol and their payload layouts
 * (docs/jig-protocol.md). Requests go host → jig, each answered by one response with the
 * same sequence number, except `image-chunk-more`, which the jig never answers: its outcome
 * is in the answer to the `image-chunk` that closes its window. Events go jig → host unasked,
 * numbered by the jig's own counter.
 */
import { decodeFrame, encodeFrame, encodeFrameWith, JIG_SLOT, MAX_PAYLOAD } from "./frame";

/** Request type codes; a response is `0x80 | request`, events are 0x40-0x4F. */
export const REQUEST_TYPES = {
  identify: 0x01,
  "slot-status": 0x02,
  "read-identity": 0x03,
  unlock: 0x04,
  "begin-image": 0x05,
  "image-chunk": 0x06,
  commit: 0x07,
  verify: 0x08,
  /** An image chunk the jig does not answer; the next `image-chunk` acknowledges it. */
  "image-chunk-more": 0x09,
} as const;
export type RequestKind = keyof typeof REQUEST_TYPES;
/** The requests the jig answers: every one but `image-chunk-more`. */
export type AnsweredKind = Exclude<RequestKind, "image-chunk-more">;
export const RESPONSE_FLAG = 0x80;
export const EVENT_TYPES = { "hub-seated": 0x41, "hub-removed": 0x42, progress: 0x43, error: 0x44 } as const;
export type EventKind = keyof typeof EVENT_TYPES;

/** Status codes a jig answers with; the index is the code on the wire. */
export const JIG_STATUSES = [
  "ok",
  "bad-request",
  "no-hub",
  "bad-state",
  "unlock-refused",
  "write-error",
  "image-incomplete",
  "busy",
  "internal",
] as const;
export type JigStatus = (typeof JIG_STATUSES)[number];

/** A slot's state as the jig reports it; the index is the code on the wire. */
export const SLOT_STATES = ["empty", "seated", "unlocked", "receiving", "programming", "programmed", "failed"] as const;
export type SlotState = (typeof SLOT_STATES)[number];

export const SHA256_SIZE = 32;
/** Largest image chunk: payload minus the 4-byte offset. */
export const MAX_CHUNK = MAX_PAYLOAD - 4;
/** Largest window a jig may announce in its `begin-image` answer (chunks per acknowledgement). */
export const MAX_WINDOW = 64;
/** Largest string on the wire (u8 length prefix). */
const MAX_TEXT = 255;

export type JigRequest =
  | { kind: "identify" }
  | { kind: "slot-status"; slot: number }
  | { kind: "read-identity"; slot: number }
  | { kind: "unlock"; slot: number }
  | { kind: "begin-image"; slot: number; size: number; version: string; sha256: Uint8Array }
  | { kind: "image-chunk"; slot: number; offset: number; data: Uint8Array }
  | { kind: "image-chunk-more"; slot: number; offset: number; data: Uint8Array }
  | { kind: "commit"; slot: number }
  | { kind: "verify"; slot: number };

export type JigResponseBody =
  | { kind: "identify"; serial: string; slotCount: number; firmware: string }
  | { kind: "slot-status"; state: SlotState; progress: number }
  | { kind: "read-identity"; deviceId: string; model: string; firmwareVersion: string }
  | { kind: "unlock" }
  /** `window`: how many chunks the jig takes per acknowledgement (1 to MAX_WINDOW). */
  | { kind: "begin-image"; window: number }
  | { kind: "image-chunk"; received: number }
  | { kind: "commit" }
  | { kind: "verify"; sha256: Uint8Array };

export type JigResponse =
  | { ok: true; slot: number; body: JigResponseBody }
  | { ok: false; slot: number; kind: AnsweredKind; status: Exclude<JigStatus, "ok">; message: string };

export type JigEvent =
  | { kind: "hub-seated"; slot: number }
  | { kind: "hub-removed"; slot: number }
  | { kind: "progress"; slot: number; percent: number; bytesWritten: number }
  | { kind: "error"; slot: number; status: Exclude<JigStatus, "ok">; message: string };

export type JigMessage =
  | { dir: "request"; seq: number; request: JigRequest }
  | { dir: "response"; seq: number; response: JigResponse }
  | { dir: "event"; seq: number; event: JigEvent };

export type MessageDecodeResult = { ok: true; message: JigMessage } | { ok: false; reason: string };

/** Encodes a message into one HID report. */
export function encodeMessage(message: JigMessage): Uint8Array {
  const w = new Writer();
  switch (message.dir) {
    case "request": {
      const r = message.request;
      if (r.kind === "image-chunk" || r.kind === "image-chunk-more") return encodeImageChunk(message.seq, r);
      if (r.kind === "begin-image") {
        w.u32(r.size);
        w.u32(hexToU32(r.version));
        w.bytes(r.sha256, SHA256_SIZE);
      }
      const slot = r.kind === "identify" ? JIG_SLOT : r.slot;
      return encodeFrame({ seq: message.seq, type: REQUEST_TYPES[r.kind], slot, payload: w.done() });
    }
    case "response": {
      const r = message.response;
      if (r.ok && r.body.kind === "image-chunk") {
        // The hot path while streaming: status 0 + bytes held, in one allocation.
        const payload = new Uint8Array(5);
        new DataView(payload.buffer).setUint32(1, r.body.received, true);
        return encodeFrame({
          seq: message.seq,
          type: RESPONSE_FLAG | REQUEST_TYPES["image-chunk"],
          slot: r.slot,
          payload,
        });
      }
      if (!r.ok) {
        w.u8(JIG_STATUSES.indexOf(r.status));
        w.text(r.message);
        return encodeFrame({
          seq: message.seq,
          type: RESPONSE_FLAG | REQUEST_TYPES[r.kind],
          slot: r.slot,
          payload: w.done(),
        });
      }
      w.u8(0);
      const b = r.body;
      if (b.kind === "identify") {
        w.text(b.serial);
        w.u8(b.slotCount);
        w.text(b.firmware);
      } else if (b.kind === "slot-status") {
        w.u8(SLOT_STATES.indexOf(b.state));
        w.u8(b.progress);
      } else if (b.kind === "read-identity") {
        w.bytes(deviceIdToBytes(b.deviceId), 8);
        w.u32(hexToU32(b.model));
        w.u32(hexToU32(b.firmwareVersion));
      } else if (b.kind === "begin-image") {
        w.u8(b.window);
      } else if (b.kind === "image-chunk") {
        w.u32(b.received);
      } else if (b.kind === "verify") {
        w.bytes(b.sha256, SHA256_SIZE);
      }
      return encodeFrame({
        seq: message.seq,
        type: RESPONSE_FLAG | REQUEST_TYPES[b.kind],
        slot: r.slot,
        payload: w.done(),
      });
    }
    case "event": {
      const e = message.event;
      if (e.kind === "progress") {
        w.u8(e.percent);
        w.u32(e.bytesWritten);
      } else if (e.kind === "error") {
        w.u8(JIG_STATUSES.indexOf(e.status));
        w.text(e.message);
      }
      return encodeFrame({ seq: message.seq, type: EVENT_TYPES[e.kind], slot: e.slot, payload: w.done() });
    }
  }
}

/**
 * Encodes an image chunk, the hot path while streaming: offset and data written straight
 * into the report (one copy of the chunk), and into `into` when given (a report's worth of
 * a buffer the caller cut a window's reports from: one allocation a window, not a report).
 */
export function encodeImageChunk(
  seq: number,
  r: Extract<JigRequest, { kind: "image-chunk" | "image-chunk-more" }>,
  into?: Uint8Array,
): Uint8Array {
  const offset = r.offset;
  if (!Number.isInteger(offset) || offset < 0 || offset > 0xffffffff)
    throw new RangeError(`u32 out of range: ${offset}`);
  return encodeFrameWith(seq, REQUEST_TYPES[r.kind], r.slot, 4 + r.data.length, fillChunk, r, into);
}

function fillChunk(report: Uint8Array, at: number, r: { offset: number; data: Uint8Array }): void {
  const offset = r.offset;
  report[at] = offset & 0xff;
  report[at + 1] = (offset >>> 8) & 0xff;
  report[at + 2] = (offset >>> 16) & 0xff;
  report[at + 3] = (offset >>> 24) & 0xff;
  report.set(r.data, at + 4);
}

/** Decodes one HID report into a message, or says why it is rejected; never throws. */
export function decodeMessage(report: Uint8Array): MessageDecodeResult {
  const f = decodeFrame(report);
  if (!f.ok) return f;
  const { seq, type, slot, payload } = f.frame;
  const r = new Reader(payload);
  try {
    const message = parseBody(seq, type, slot, r);
    if (!r.atEnd()) return { ok: false, reason: `${payload.length - r.pos} unexpected trailing payload bytes` };
    return { ok: true, message };
  } catch (error) {
    // Reader and parseBody signal malformed payloads by throwing BadPayload; nothing escapes.
    if (error instanceof BadPayload) return { ok: false, reason: error.message };
    return { ok: false, reason: "malformed payload" };
  }
}

function parseBody(seq: number, type: number, slot: number, r: Reader): JigMessage {
  const reqKind = kindOfRequest(type & ~RESPONSE_FLAG);
  if (reqKind && (type & RESPONSE_FLAG) === 0) {
    checkSlot(reqKind, slot);
    let request: JigRequest;
    if (reqKind === "identify") request = { kind: "identify" };
    else if (reqKind === "begin-image")
      request = { kind: reqKind, slot, size: r.u32(), version: u32ToHex(r.u32()), sha256: r.bytes(SHA256_SIZE) };
    else if (reqKind === "image-chunk" || reqKind === "image-chunk-more") {
      const offset = r.u32();
      const data = r.rest();
      if (data.length === 0) throw new BadPayload("empty image chunk");
      request = { kind: reqKind, slot, offset, data };
    } else request = { kind: reqKind, slot };
    return { dir: "request", seq, request };
  }
  if (reqKind && (type & RESPONSE_FLAG) !== 0) {
    if (reqKind === "image-chunk-more") throw new BadPayload("image-chunk-more is never answered");
    checkSlot(reqKind, slot);
    const code = r.u8();
    const status = JIG_STATUSES[code];
    if (status === undefined) throw new BadPayload(`unknown status code ${code}`);
    if (status !== "ok")
      return { dir: "response", seq, response: { ok: false, slot, kind: reqKind, status, message: r.text() } };
    let body: JigResponseBody;
    if (reqKind === "identify") {
      const serial = r.text();
      const slotCount = r.u8();
      body = { kind: reqKind, serial, slotCount, firmware: r.text() };
    } else if (reqKind === "slot-status") {
      const code = r.u8();
      const state = SLOT_STATES[code];
      if (state === undefined) throw new BadPayload(`unknown slot state ${code}`);
      body = { kind: reqKind, state, progress: r.percent() };
    } else if (reqKind === "read-identity") {
      body = {
        kind: reqKind,
        deviceId: bytesToDeviceId(r.bytes(8)),
        model: u32ToHex(r.u32()),
        firmwareVersion: u32ToHex(r.u32()),
      };
    } else if (reqKind === "begin-image") {
      const window = r.u8();
      if (window < 1 || window > MAX_WINDOW) throw new BadPayload(`window ${window} outside 1-${MAX_WINDOW}`);
      body = { kind: reqKind, window };
    } else if (reqKind === "image-chunk") body = { kind: reqKind, received: r.u32() };
    else if (reqKind === "verify") body = { kind: reqKind, sha256: r.bytes(SHA256_SIZE) };
    else body = { kind: reqKind };
    return { dir: "response", seq, response: { ok: true, slot, body } };
  }
  const evKind = kindOfEvent(type);
  if (!evKind) throw new BadPayload(`unknown message type 0x${type.toString(16).padStart(2, "0")}`);
  if (slot === JIG_SLOT) throw new BadPayload(`${evKind} event must name a slot`);
  let event: JigEvent;
  if (evKind === "progress") event = { kind: evKind, slot, percent: r.percent(), bytesWritten: r.u32() };
  else if (evKind === "error") {
    const code = r.u8();
    const status = JIG_STATUSES[code];
    if (status === undefined || status === "ok") throw new BadPayload(`bad error status code ${code}`);
    event = { kind: evKind, slot, status, message: r.text() };
  } else event = { kind: evKind, slot };
  return { dir: "event", seq, event };
}

function checkSlot(kind: RequestKind, slot: number): void {
  if (kind === "identify" ? slot !== JIG_SLOT : slot === JIG_SLOT) throw new BadPayload(`${kind} with slot ${slot}`);
}

const REQUEST_BY_TYPE = new Map(
  (Object.keys(REQUEST_TYPES) as RequestKind[]).map((k) => [REQUEST_TYPES[k] as number, k]),
);
const EVENT_BY_TYPE = new Map((Object.keys(EVENT_TYPES) as EventKind[]).map((k) => [EVENT_TYPES[k] as number, k]));
function kindOfRequest(type: number): RequestKind | undefined {
  return REQUEST_BY_TYPE.get(type);
}
function kindOfEvent(type: number): EventKind | undefined {
  return EVENT_BY_TYPE.get(type);
}

/** Canonical `HH-…-HH` Device ID → 8 bytes. */
export function deviceIdToBytes(deviceId: string): Uint8Array {
  const hex = deviceId.replace(/-/g, "");
  if (!/^[0-9A-Fa-f]{16}$/.test(hex)) throw new RangeError(`not a device ID: ${deviceId}`);
  return Uint8Array.from(Buffer.from(hex, "hex"));
}
/** 8 bytes → canonical `HH-…-HH` Device ID. */
export function bytesToDeviceId(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).toUpperCase().padStart(2, "0")).join("-");
}
/** 8-hex-digit model / firmware version → u32. */
export function hexToU32(hex: string): number {
  if (!/^[0-9A-Fa-f]{8}$/.test(hex)) throw new RangeError(`not 8 hex digits: ${hex}`);
  return Number.parseInt(hex, 16) >>> 0;
}
/** u32 → 8 upper-case hex digits (DUIS notation). */
export function u32ToHex(v: number): string {
  return (v >>> 0).toString(16).toUpperCase().padStart(8, "0");
}

class BadPayload extends Error {}

/** Hand-written byte cursor: the layouts are fixed and tiny, a schema library would add no safety. */
class Reader {
  pos = 0;
  private readonly view: DataView;
  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new BadPayload("payload too short");
  }
  u8(): number {
    this.need(1);
    return this.view.getUint8(this.pos++);
  }
  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  percent(): number {
    const v = this.u8();
    if (v > 100) throw new BadPayload(`percentage ${v} over 100`);
    return v;
  }
  bytes(n: number): Uint8Array {
    this.need(n);
    // A view, not a copy: the payload is already the decoder's own copy of the report.
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  rest(): Uint8Array {
    return this.bytes(this.buf.length - this.pos);
  }
  text(): string {
    const n = this.u8();
    const b = this.bytes(n);
    for (const c of b) if (c < 0x20 || c > 0x7e) throw new BadPayload("text is not printable ASCII");
    return String.fromCharCode(...b);
  }
  atEnd(): boolean {
    return this.pos === this.buf.length;
  }
}

class Writer {
  private parts: number[] = [];
  private chunks: Uint8Array[] = [];
  private flush(): void {
    if (this.parts.length) this.chunks.push(Uint8Array.from(this.parts));
    this.parts = [];
  }
  u8(v: number): void {
    if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new RangeError(`u8 out of range: ${v}`);
    this.parts.push(v);
  }
  u32(v: number): void {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`u32 out of range: ${v}`);
    this.parts.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  }
  bytes(b: Uint8Array, n: number): void {
    if (b.length !== n) throw new RangeError(`expected ${n} bytes, got ${b.length}`);
    this.raw(b);
  }
  raw(b: Uint8Array): void {
    this.flush();
    this.chunks.push(b);
  }
  text(s: string): void {
    // Messages are for people reading a fault report; clip and keep them printable ASCII.
    const clean = s.replace(/[^\x20-\x7e]/g, "?").slice(0, MAX_TEXT);
    this.u8(clean.length);
    for (let i = 0; i < clean.length; i++) this.parts.push(clean.charCodeAt(i));
  }
  done(): Uint8Array {
    this.flush();
    const n = this.chunks.reduce((a, c) => a + c.length, 0);
    const out = new Uint8Array(n);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}
