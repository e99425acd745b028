/**
 * Framing of the multi-jig protocol (docs/jig-protocol.md): one frame per HID report.
 *
 *   offset size field
 *   0      1    magic 0x4A ('J')
 *   1      1    protocol version (2)
 *   2      2    sequence number, u16 little-endian
 *   4      1    message type
 *   5      1    slot (0..7), or 0xFF for the jig itself
 *   6      2    payload length n, u16 LE
 *   8      n    payload
 *   8+n    4    CRC-32 (IEEE, zlib) of bytes 0..8+n, u32 LE
 *   12+n   ..   zero padding to the report size
 *
 * A frame is accepted only if every one of these checks holds, so a corrupted report is
 * rejected rather than misread: CRC-32 catches every burst up to 32 bits and every 1-3
 * bit error at these lengths, and the padding must be zero so no byte goes unchecked.
 */
import { crc32 } from "node:zlib";

export const FRAME_MAGIC = 0x4a;
/**
 * 2: windowed image transfer (`image-chunk-more`, and `begin-image` answering with the
 * jig's window). A version-1 jig drops version-2 frames by the version rule, so a host and a
 * jig of different versions fail at the first request (`identify` times out), never mid-image.
 */
export const PROTOCOL_VERSION = 2;
/** High-speed USB HID allows interrupt reports up to 1024 bytes; our jig uses that size. */
export const REPORT_SIZE = 1024;
export const HEADER_SIZE = 8;
export const CRC_SIZE = 4;
export const MAX_PAYLOAD = REPORT_SIZE - HEADER_SIZE - CRC_SIZE;
/** Slot value meaning "the jig as a whole". */
export const JIG_SLOT = 0xff;

const ZEROS = new Uint8Array(REPORT_SIZE);

/** A frame as it travels, before its payload is interpreted. */
export interface Frame {
  seq: number;
  type: number;
  slot: number;
  payload: Uint8Array;
}

export type FrameDecodeResult = { ok: true; frame: Frame } | { ok: false; reason: string };

/** Encodes a frame into one zero-padded report; throws only on a programming error (bad field range). */
export function encodeFrame(frame: Frame): Uint8Array {
  const payload = frame.payload;
  return encodeFrameWith(frame.seq, frame.type, frame.slot, payload.length, setPayload, payload);
}

function setPayload(report: Uint8Array, at: number, payload: Uint8Array): void {
  report.set(payload, at);
}

/**
 * Encodes a frame whose `n`-byte payload `fill(report, at, arg)` writes straight into the
 * report at `at`: the image-chunk hot path builds its payload in place rather than in a
 * buffer of its own that is then copied again (and `fill` is a plain function given `arg`,
 * not a closure made for each chunk). `into`, when given, is the report to fill (REPORT_SIZE
 * bytes, for instance one of a window's reports cut from one allocation); every byte of it
 * is written, so it need not be zeroed.
 */
export function encodeFrameWith<T>(
  seq: number,
  type: number,
  slot: number,
  n: number,
  fill: (report: Uint8Array, at: number, arg: T) => void,
  arg: T,
  into?: Uint8Array,
): Uint8Array {
  if (n > MAX_PAYLOAD) throw new RangeError(`payload of ${n} bytes exceeds ${MAX_PAYLOAD}`);
  if (!isU16(seq) || !isU8(type) || !isU8(slot)) throw new RangeError("frame field out of range");
  if (into !== undefined && into.length !== REPORT_SIZE)
    throw new RangeError(`report buffer is ${into.length} bytes, expected ${REPORT_SIZE}`);
  const out = into ?? new Uint8Array(REPORT_SIZE);
  const end = HEADER_SIZE + n;
  out[0] = FRAME_MAGIC;
  out[1] = PROTOCOL_VERSION;
  out[2] = seq & 0xff;
  out[3] = seq >>> 8;
  out[4] = type;
  out[5] = slot;
  out[6] = n & 0xff;
  out[7] = n >>> 8;
  fill(out, HEADER_SIZE, arg);
  const crc = crc32(out.subarray(0, end)) >>> 0;
  out[end] = crc & 0xff;
  out[end + 1] = (crc >>> 8) & 0xff;
  out[end + 2] = (crc >>> 16) & 0xff;
  out[end + 3] = crc >>> 24;
  if (into !== undefined) out.fill(0, end + CRC_SIZE);
  return out;
}

/** Decodes one report into a frame, or says why it is rejected; never throws. */
export function decodeFrame(report: Uint8Array): FrameDecodeResult {
  if (!(report instanceof Uint8Array)) return fail("report is not bytes");
  if (report.length !== REPORT_SIZE) return fail(`report is ${report.length} bytes, expected ${REPORT_SIZE}`);
  if (report[0] !== FRAME_MAGIC) return fail("bad magic byte");
  if (report[1] !== PROTOCOL_VERSION) return fail(`unsupported protocol version ${report[1]}`);
  const view = new DataView(report.buffer, report.byteOffset, report.byteLength);
  const n = view.getUint16(6, true);
  if (n > MAX_PAYLOAD) return fail(`payload length ${n} exceeds ${MAX_PAYLOAD}`);
  const end = HEADER_SIZE + n;
  const expected = view.getUint32(end, true);
  const actual = crc32(report.subarray(0, end)) >>> 0;
  if (expected !== actual) return fail("CRC mismatch");
  const padding = report.subarray(end + CRC_SIZE);
  // Native compare against zeros: a byte loop here was the codec's hottest line.
  if (Buffer.compare(padding, ZEROS.subarray(0, padding.length)) !== 0) return fail("non-zero padding after the CRC");
  return {
    ok: true,
    frame: {
      seq: view.getUint16(2, true),
      type: report[4] ?? 0,
      slot: report[5] ?? 0,
      payload: report.slice(HEADER_SIZE, end),
    },
  };
}

function isU8(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v <= 0xff;
}
function isU16(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v <= 0xffff;
}
function fail(reason: string): FrameDecodeResult {
  return { ok: false, reason };
}
