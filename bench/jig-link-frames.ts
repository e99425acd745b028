/**
 * Frames between bench/jig.ts and its simulated jigs' process (jig-simulators-child.ts) over
 * a pipe: 8 header bytes (type, jig index, slot, payload length) and the payload. Binary
 * rather than Node's IPC channel: the image goes through as about a thousand 1 KiB reports a
 * hub, and the host's share of moving them should be a pipe write, as a HID write would be.
 */
export const FRAME = { create: 1, toDevice: 2, toHost: 3, seat: 4, remove: 5, cpu: 6, end: 7 } as const;
const HEADER = 8;

export function frame(type: number, jig: number, slot: number, payload: Uint8Array = new Uint8Array(0)): Buffer {
  const b = Buffer.allocUnsafe(HEADER + payload.length);
  b.writeUInt8(type, 0);
  b.writeUInt8(jig, 1);
  b.writeUInt16LE(slot, 2);
  b.writeUInt32LE(payload.length, 4);
  b.set(payload, HEADER);
  return b;
}

/** The header alone, for a payload written after it as a buffer of its own (no copy). */
export function frameHeader(type: number, jig: number, slot: number, length: number): Buffer {
  const b = Buffer.allocUnsafe(HEADER);
  b.writeUInt8(type, 0);
  b.writeUInt8(jig, 1);
  b.writeUInt16LE(slot, 2);
  b.writeUInt32LE(length, 4);
  return b;
}

/** Cuts a byte stream back into frames. */
export class FrameReader {
  private pending: Buffer = Buffer.alloc(0);
  constructor(private readonly onFrame: (type: number, jig: number, slot: number, payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let at = 0;
    while (this.pending.length - at >= HEADER) {
      const len = this.pending.readUInt32LE(at + 4);
      if (this.pending.length - at < HEADER + len) break;
      const payload = this.pending.subarray(at + HEADER, at + HEADER + len);
      this.onFrame(
        this.pending.readUInt8(at),
        this.pending.readUInt8(at + 1),
        this.pending.readUInt16LE(at + 2),
        payload,
      );
      at += HEADER + len;
    }
    this.pending = this.pending.subarray(at);
  }
}
