/**
 * An in-memory transport pair: the host end is a `HidTransport` a driver opens; the
 * device end is what a simulator (SimulatedJig, SimulatedScanner) reads and writes.
 * Reports are copied on the way through so neither side can mutate the other's bytes,
 * and delivered on a later microtask/macrotask as USB would.
 */
import { EventEmitter } from "node:events";
import type { HidDeviceInfo, HidTransport, HidTransportEvents } from "./hid-transport";
import { WriteQueue } from "./write-queue";

/** The device side of an in-memory link. */
export interface SimulatedDeviceEnd {
  readonly info: HidDeviceInfo;
  /** True while the host end is open and the device is attached. */
  readonly connected: boolean;
  /** Sends an input report to the host (dropped when the host end is not open). */
  send(report: Uint8Array): void;
  /** Receives the host's output reports; returns the unsubscribe function. */
  onReport(listener: (report: Uint8Array) => void): () => void;
  /** Simulates unplugging: the host end sees `detach` and closes. */
  detach(reason?: string): void;
  /** Simulates plugging back in: the host end may be opened again. */
  reattach(): void;
}

export interface MemoryTransportPair {
  host: HidTransport;
  device: SimulatedDeviceEnd;
}

/** Builds a connected host/device pair for one simulated HID device. */
export function createMemoryTransportPair(info: HidDeviceInfo): MemoryTransportPair {
  const toHost = new EventEmitter<HidTransportEvents>();
  const toDevice = new EventEmitter<{ report: [Uint8Array] }>();
  const queue = new WriteQueue();
  let open = false;
  let attached = true;

  const host: HidTransport = {
    info,
    get isOpen() {
      return open;
    },
    async open() {
      if (!attached) throw new Error(`HID device ${info.path} is not attached`);
      open = true;
    },
    write(report) {
      const copy = report.slice();
      return queue.run(async () => {
        if (!open) throw new Error(`HID device ${info.path} is not open`);
        // A macrotask hop, as a real write returns before the device has processed it.
        setImmediate(() => {
          if (open) toDevice.emit("report", copy);
        });
      });
    },
    onReport(listener) {
      toHost.on("report", listener);
      return () => toHost.off("report", listener);
    },
    onDetach(listener) {
      toHost.on("detach", listener);
      return () => toHost.off("detach", listener);
    },
    async close() {
      open = false;
    },
  };

  const device: SimulatedDeviceEnd = {
    info,
    get connected() {
      return open && attached;
    },
    send(report) {
      if (!open || !attached) return;
      const copy = report.slice();
      setImmediate(() => {
        if (open) toHost.emit("report", copy);
      });
    },
    onReport(listener) {
      toDevice.on("report", listener);
      return () => toDevice.off("report", listener);
    },
    detach(reason = "device unplugged") {
      attached = false;
      if (open) {
        open = false;
        toHost.emit("detach", reason);
      }
    },
    reattach() {
      attached = true;
    },
  };
  return { host, device };
}
