/**
 * The one seam between a device driver and USB: HID reports as bytes.
 *
 * Drivers (scanner, jig) speak only this interface, so the same driver runs against
 * node-hid on a dock PC and against an in-memory simulator in tests and demos.
 * A report here is the report's data without the report-ID byte; a transport for a
 * device with numbered reports adds and strips that byte itself.
 */
import type { EventEmitter } from "node:events";

/** What identifies a HID device, as enumeration reports it. */
export interface HidDeviceInfo {
  /** OS path; unique per plugged device, changes on re-attach. */
  path: string;
  vendorId: number;
  productId: number;
  serialNumber?: string;
  product?: string;
  usagePage?: number;
  usage?: number;
}

/** Events of an open transport. */
export type HidTransportEvents = {
  /** An input report arrived. */
  report: [report: Uint8Array];
  /** The device went away (unplugged, power cut, read error); the transport is closed. */
  detach: [reason: string];
};

/** An open-able connection to one HID device. */
export interface HidTransport {
  readonly info: HidDeviceInfo;
  readonly isOpen: boolean;
  /** Opens the device; resolves when reports can flow. */
  open(): Promise<void>;
  /** Queues one output report; resolves when the OS has taken it, in call order. */
  write(report: Uint8Array): Promise<void>;
  /** Listens for input reports; returns the unsubscribe function. */
  onReport(listener: (report: Uint8Array) => void): () => void;
  /** Listens for the device going away; returns the unsubscribe function. */
  onDetach(listener: (reason: string) => void): () => void;
  /** Closes the device; idempotent. */
  close(): Promise<void>;
}

/** Events of a device monitor: hot-plug as seen by enumeration. */
export type HidMonitorEvents = {
  attach: [info: HidDeviceInfo];
  detach: [info: HidDeviceInfo];
  error: [error: Error];
};

/** Watches for devices matching a filter coming and going. */
export interface HidDeviceMonitor extends Pick<EventEmitter<HidMonitorEvents>, "on" | "off" | "once"> {
  /** Devices currently present. */
  present(): HidDeviceInfo[];
  start(): Promise<void>;
  stop(): void;
}

/** Which devices a driver wants: any field given must match. */
export interface HidDeviceFilter {
  vendorId?: number;
  productId?: number;
  usagePage?: number;
  usage?: number;
}

/** True when `info` satisfies every field of `filter`. */
export function matchesFilter(info: HidDeviceInfo, filter: HidDeviceFilter): boolean {
  return (
    (filter.vendorId === undefined || info.vendorId === filter.vendorId) &&
    (filter.productId === undefined || info.productId === filter.productId) &&
    (filter.usagePage === undefined || info.usagePage === filter.usagePage) &&
    (filter.usage === undefined || info.usage === filter.usage)
  );
}
