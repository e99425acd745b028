import { EventEmitter } from "node:events";
import type { HidDeviceFilter, HidDeviceInfo, HidDeviceMonitor } from "../hardware/hid/hid-transport";
import { NodeHidMonitor, NodeHidTransport, type HotplugSource } from "../hardware/hid/node-hid-transport";
import { REFERENCE_JIG_PROTOCOL, type JigLink, type JigProtocol } from "../hardware/jig/jig-link";
import { HidPosScanner, type HidPosRead } from "../hardware/scanner/hid-pos-scanner";
import { HID_POS_USAGE_PAGE } from "../hardware/scanner/hid-pos-report";
import type { DeviceRegistry } from "./device-registry";
import type { UsbId } from "./usb-ids";

export { parseUsbIds, type UsbId } from "./usb-ids";

/**
 * The dock's USB devices with `DOCK_HARDWARE=auto`: node-hid finds HID-POS scanners by
 * their usage page (0x8C) and jigs by the site's VID/PID list, opens them as they are
 * plugged in, and lets go of them as they are unplugged (hot-plug events where the OS
 * gives them, ./node-hid-transport.ts `HotplugSource`, else a poll every second).
 * Scanners' reads go out as `scan` events; jigs are handed to the jig station as opened
 * drivers (`jig`). Every device, its state and its latest problem are on the registry.
 */

export type UsbDeviceEvents = {
  scan: [read: HidPosRead];
  /** A jig was plugged in and opened; the jig station attaches it. */
  jig: [link: JigLink, info: HidDeviceInfo];
};

export interface UsbDevicesOptions {
  registry: DeviceRegistry;
  /** The site's jigs by VID/PID (none: no jigs are opened). */
  jigIds: readonly UsbId[];
  /** Protocols for the listed jigs, first match wins; our own protocol by default. */
  jigProtocols?: readonly JigProtocol[];
  /** Replaces enumeration (tests); by default a NodeHidMonitor over node-hid. */
  monitor?: HidDeviceMonitor;
  pollMs?: number;
  hotplug?: HotplugSource | null;
  log?: (message: string) => void;
  now?: () => Date;
}

interface Open {
  id: string;
  close(): Promise<void>;
}

const hex4 = (n: number) => n.toString(16).toUpperCase().padStart(4, "0");

export class UsbDevices extends EventEmitter<UsbDeviceEvents> {
  private readonly monitor: HidDeviceMonitor;
  private readonly open = new Map<string, Open>();
  private readonly log: (message: string) => void;
  private stopped = false;

  constructor(private readonly options: UsbDevicesOptions) {
    super();
    const filters: HidDeviceFilter[] = [
      { usagePage: HID_POS_USAGE_PAGE },
      ...options.jigIds.map((j) => ({ vendorId: j.vendorId, productId: j.productId })),
    ];
    this.monitor = options.monitor ?? new NodeHidMonitor(filters, options.pollMs ?? 1000, options.hotplug ?? null);
    this.log = options.log ?? (() => undefined);
    this.monitor.on("attach", (info) => void this.attach(info));
    this.monitor.on("detach", (info) => void this.detach(info, "unplugged"));
    this.monitor.on("error", (error) => this.log(`usb: could not list USB devices: ${error.message}`));
  }

  /** Lists what is plugged in now and opens it; then watches. */
  async start(): Promise<void> {
    await this.monitor.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.monitor.stop();
    await Promise.all([...this.open.values()].map((o) => o.close().catch(() => undefined)));
    this.open.clear();
  }

  private kindOf(info: HidDeviceInfo): "scanner" | "jig" | null {
    if (info.usagePage === HID_POS_USAGE_PAGE) return "scanner";
    if (this.options.jigIds.some((j) => j.vendorId === info.vendorId && j.productId === info.productId)) return "jig";
    return null;
  }

  private async attach(info: HidDeviceInfo): Promise<void> {
    if (this.stopped || this.open.has(info.path)) return;
    const kind = this.kindOf(info);
    if (kind === null) return;
    const id = info.serialNumber ? `${kind === "scanner" ? "SCN" : "JIG"}-${info.serialNumber}` : info.path;
    const name =
      info.product?.trim() ||
      `${kind === "scanner" ? "HID-POS scanner" : "jig"} ${hex4(info.vendorId)}:${hex4(info.productId)}`;
    const base = { id, kind, name, vendorId: info.vendorId, productId: info.productId, simulated: false } as const;
    this.options.registry.upsert({ ...base, state: "connected", detail: "opening" });
    try {
      if (kind === "scanner") await this.openScanner(info, id);
      else await this.openJig(info, id);
      this.options.registry.setState(id, "connected", null);
      this.log(`usb: ${kind} ${name} (${hex4(info.vendorId)}:${hex4(info.productId)}) opened at ${info.path}`);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      // Linux without the udev rule: the hidraw node is root's.
      const hint = /permission|EACCES|cannot open/i.test(reason)
        ? " (on Linux the dock's udev rule gives the signed-in user access: reinstall the .deb, or see docs/electron.md)"
        : "";
      this.options.registry.setState(id, "failed", `could not be opened: ${reason}${hint}`);
      this.log(`usb: ${kind} at ${info.path} could not be opened: ${reason}`);
    }
  }

  private async openScanner(info: HidDeviceInfo, id: string): Promise<void> {
    // The report ID stays byte 0: the scanner sends other reports too, and the driver tells them apart.
    const transport = new NodeHidTransport(info, { numberedInputReports: false });
    const scanner = new HidPosScanner(transport, id, this.options.now ? { now: this.options.now } : {});
    // Its "last read" on the registry is recorded by the host services, as for every scanner.
    scanner.on("scan", (read) => this.emit("scan", read));
    scanner.on("error", (reason) => {
      this.options.registry.setState(id, "connected", `a read was dropped: ${reason}; scan that code again`);
      this.log(`usb: scanner ${id}: ${reason}`);
    });
    scanner.on("detach", (reason) => void this.detach(info, reason));
    await scanner.open();
    this.open.set(info.path, { id, close: () => scanner.close() });
  }

  private async openJig(info: HidDeviceInfo, id: string): Promise<void> {
    const protocol = (this.options.jigProtocols ?? [REFERENCE_JIG_PROTOCOL]).find((p) => p.matches(info));
    if (protocol === undefined) throw new Error("no jig protocol claims this device");
    const transport = new NodeHidTransport(info, protocol.transport);
    const link = protocol.create(transport);
    link.on("disconnect", (reason: string) => void this.detach(info, reason));
    await link.open();
    this.open.set(info.path, { id, close: () => link.close() });
    this.emit("jig", link, info);
  }

  private async detach(info: HidDeviceInfo, reason: string): Promise<void> {
    const open = this.open.get(info.path);
    if (open === undefined) return;
    this.open.delete(info.path);
    await open.close().catch(() => undefined);
    this.options.registry.setState(open.id, "disconnected", reason === "unplugged" ? "unplugged" : `lost: ${reason}`);
    this.log(`usb: ${open.id} at ${info.path} went away (${reason})`);
  }
}
