/**
 * node-hid behind `HidTransport`, using its async API (`HIDAsync`) so USB I/O never
 * blocks the host's event loop. Kept thin on purpose: it cannot be exercised here
 * without USB devices, so everything with logic in it (framing, retries, simulators)
 * lives above this seam and is tested against the in-memory transport.
 */
import { EventEmitter } from "node:events";
import HID from "node-hid";
import type {
  HidDeviceFilter,
  HidDeviceInfo,
  HidDeviceMonitor,
  HidMonitorEvents,
  HidTransport,
  HidTransportEvents,
} from "./hid-transport";
import { matchesFilter } from "./hid-transport";
import { WriteQueue } from "./write-queue";

export interface NodeHidTransportOptions {
  /** Report ID the device uses for output reports; 0 for devices without numbered reports. */
  reportId?: number;
  /** True when input reports arrive with a leading report-ID byte (numbered reports). */
  numberedInputReports?: boolean;
  /** Output reports are padded with zeros to this length (the device's report size). */
  outputReportLength?: number;
}

/** One HID device opened through node-hid. */
export class NodeHidTransport implements HidTransport {
  private device: HID.HIDAsync | null = null;
  private readonly events = new EventEmitter<HidTransportEvents>();
  private readonly queue = new WriteQueue();

  constructor(
    readonly info: HidDeviceInfo,
    private readonly options: NodeHidTransportOptions = {},
  ) {}

  get isOpen(): boolean {
    return this.device !== null;
  }

  async open(): Promise<void> {
    if (this.device) return;
    const device = await HID.HIDAsync.open(this.info.path);
    device.on("data", (data: Buffer) => {
      const bytes = this.options.numberedInputReports ? data.subarray(1) : data;
      this.events.emit("report", new Uint8Array(bytes));
    });
    // hidapi reports an unplug as a read error; that is our detach.
    device.on("error", (error: unknown) => {
      void this.lost(error instanceof Error ? error.message : String(error));
    });
    this.device = device;
  }

  write(report: Uint8Array): Promise<void> {
    return this.queue.run(async () => {
      const device = this.device;
      if (!device) throw new Error(`HID device ${this.info.path} is not open`);
      const length = Math.max(report.length, this.options.outputReportLength ?? 0);
      // hidapi wants the report ID as the first byte, 0 when reports are not numbered.
      const out = Buffer.alloc(length + 1);
      out[0] = this.options.reportId ?? 0;
      out.set(report, 1);
      try {
        await device.write(out);
      } catch (error) {
        await this.lost(error instanceof Error ? error.message : String(error));
        throw error;
      }
    });
  }

  onReport(listener: (report: Uint8Array) => void): () => void {
    this.events.on("report", listener);
    return () => this.events.off("report", listener);
  }

  onDetach(listener: (reason: string) => void): () => void {
    this.events.on("detach", listener);
    return () => this.events.off("detach", listener);
  }

  async close(): Promise<void> {
    const device = this.device;
    this.device = null;
    if (device) {
      device.removeAllListeners();
      await device.close().catch(() => undefined);
    }
  }

  private async lost(reason: string): Promise<void> {
    if (!this.device) return;
    await this.close();
    this.events.emit("detach", reason);
  }
}

/** Maps node-hid's enumeration record onto ours (a device without a path cannot be opened). */
export function toDeviceInfo(device: HID.Device): HidDeviceInfo | null {
  if (!device.path) return null;
  const info: HidDeviceInfo = { path: device.path, vendorId: device.vendorId, productId: device.productId };
  if (device.serialNumber !== undefined) info.serialNumber = device.serialNumber;
  if (device.product !== undefined) info.product = device.product;
  if (device.usagePage !== undefined) info.usagePage = device.usagePage;
  if (device.usage !== undefined) info.usage = device.usage;
  return info;
}

/**
 * A source of USB hot-plug notifications (e.g. the `usb` package's `usb.on("attach")`):
 * where one is available, a plug or unplug triggers an enumeration at once instead of at
 * the next poll.
 */
export interface HotplugSource {
  on(event: "attach" | "detach", listener: () => void): unknown;
  off?(event: "attach" | "detach", listener: () => void): unknown;
}

/**
 * Hot-plug by polling `devicesAsync`: node-hid has no attach/detach notifications, and
 * polling once a second costs little next to a jig's flash time. With a `HotplugSource`
 * the OS's events trigger a pass at once and the poll only backs them up.
 */
export class NodeHidMonitor extends EventEmitter<HidMonitorEvents> implements HidDeviceMonitor {
  private known = new Map<string, HidDeviceInfo>();
  private timer: NodeJS.Timeout | null = null;
  private polling = false;
  private again = false;
  private readonly filters: readonly HidDeviceFilter[];
  private readonly onHotplug = () => void this.poll();

  constructor(
    filter: HidDeviceFilter | readonly HidDeviceFilter[],
    private readonly intervalMs = 1000,
    private readonly hotplug: HotplugSource | null = null,
  ) {
    super();
    this.filters = Array.isArray(filter) ? filter : [filter as HidDeviceFilter];
  }

  present(): HidDeviceInfo[] {
    return [...this.known.values()];
  }

  async start(): Promise<void> {
    if (this.timer) return;
    await this.poll();
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    this.timer.unref();
    this.hotplug?.on("attach", this.onHotplug);
    this.hotplug?.on("detach", this.onHotplug);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.hotplug?.off?.("attach", this.onHotplug);
    this.hotplug?.off?.("detach", this.onHotplug);
  }

  /** One enumeration pass: emits attach for new paths and detach for vanished ones. */
  async poll(): Promise<void> {
    // A hot-plug event during a pass asks for one more pass after it, so no change is missed.
    if (this.polling) {
      this.again = true;
      return;
    }
    this.polling = true;
    try {
      do {
        this.again = false;
        const listed = await HID.devicesAsync();
        const now = new Map<string, HidDeviceInfo>();
        for (const d of listed) {
          const info = toDeviceInfo(d);
          if (info && this.filters.some((f) => matchesFilter(info, f))) now.set(info.path, info);
        }
        const before = this.known;
        this.known = now;
        for (const [path, info] of before) if (!now.has(path)) this.emit("detach", info);
        for (const [path, info] of now) if (!before.has(path)) this.emit("attach", info);
      } while (this.again);
    } catch (error) {
      this.emit("error", error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.polling = false;
    }
  }
}
