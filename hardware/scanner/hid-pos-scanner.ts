/**
 * HID-POS barcode scanner driver: turns Scanned Data reports into whole reads, joining
 * reads that span several reports. Reads go out as `scan` events; anything malformed is
 * an `error` event with its reason, never a wrong read.
 *
 * The transport must deliver the report ID as byte 0 (NodeHidTransport with
 * `numberedInputReports: false`), since the scanner also sends other report types.
 */
import { EventEmitter } from "node:events";
import type { HidTransport } from "../hid/hid-transport";
import type { HidPosLayout } from "./hid-pos-report";
import { DEFAULT_HID_POS_LAYOUT, parseScannedDataReport } from "./hid-pos-report";

/** One read as the scanner delivered it; the renderer parses it. */
export interface HidPosRead {
  /** Decoded data, one char per byte (Latin-1), GS (0x1D) kept as the FNC1 separator. */
  raw: string;
  symbology: string | null;
  scannerId: string;
  at: Date;
}

export type HidPosScannerEvents = {
  scan: [read: HidPosRead];
  error: [reason: string];
  detach: [reason: string];
};

export interface HidPosScannerOptions {
  layout?: HidPosLayout;
  /** A read longer than this is dropped (the bridge carries at most 4096 characters). */
  maxLength?: number;
  /** A multi-report read left unfinished this long is dropped when the next report arrives. */
  partialTimeoutMs?: number;
  now?: () => Date;
}

export class HidPosScanner extends EventEmitter<HidPosScannerEvents> {
  private partial: { chunks: Uint8Array[]; length: number; symbology: string | null; since: number } | null = null;
  private readonly layout: HidPosLayout;
  private readonly maxLength: number;
  private readonly partialTimeoutMs: number;
  private readonly now: () => Date;
  private unsubscribes: Array<() => void> = [];
  /** After a bad or over-long report mid-read, the rest of that read is dropped, never emitted as a read of its own. */
  private discarding = false;

  constructor(
    private readonly transport: HidTransport,
    readonly scannerId: string,
    options: HidPosScannerOptions = {},
  ) {
    super();
    this.layout = options.layout ?? DEFAULT_HID_POS_LAYOUT;
    this.maxLength = options.maxLength ?? 4096;
    this.partialTimeoutMs = options.partialTimeoutMs ?? 1000;
    this.now = options.now ?? (() => new Date());
  }

  /** Opens the scanner and starts emitting reads. */
  async open(): Promise<void> {
    this.unsubscribes = [
      this.transport.onReport((r) => this.onReport(r)),
      this.transport.onDetach((reason) => {
        this.partial = null;
        this.emit("detach", reason);
      }),
    ];
    await this.transport.open();
  }

  async close(): Promise<void> {
    this.unsubscribes.forEach((u) => u());
    this.unsubscribes = [];
    await this.transport.close();
  }

  /** Feeds one input report (public so tests and other transports can drive it). */
  onReport(bytes: Uint8Array): void {
    const parsed = parseScannedDataReport(bytes, this.layout);
    if (parsed.ok === "ignored") return;
    if (parsed.ok === false) {
      this.partial = null;
      this.discarding =
        bytes.length > this.layout.flagsOffset &&
        ((bytes[this.layout.flagsOffset] ?? 0) & this.layout.continuationBit) !== 0;
      this.emit("error", parsed.reason);
      return;
    }
    if (this.discarding) {
      this.discarding = parsed.report.continues;
      return;
    }
    const now = this.now().getTime();
    if (this.partial && now - this.partial.since > this.partialTimeoutMs) {
      this.partial = null;
      this.emit("error", "an unfinished multi-report read was dropped (the rest never came)");
    }
    const p = this.partial ?? { chunks: [], length: 0, symbology: parsed.report.symbology, since: now };
    p.chunks.push(parsed.report.data);
    p.length += parsed.report.data.length;
    p.since = now;
    if (p.length > this.maxLength) {
      this.partial = null;
      this.discarding = parsed.report.continues;
      this.emit("error", `read longer than ${this.maxLength} characters was dropped`);
      return;
    }
    if (parsed.report.continues) {
      this.partial = p;
      return;
    }
    this.partial = null;
    if (p.length === 0) {
      this.emit("error", "empty read");
      return;
    }
    let raw = "";
    for (const c of p.chunks) for (const b of c) raw += String.fromCharCode(b);
    this.emit("scan", { raw, symbology: p.symbology, scannerId: this.scannerId, at: this.now() });
  }
}
