/**
 * A stand-in for the `node-hid` module (tests: `vi.mock("node-hid", () => ({ default: fake }))`),
 * so the real NodeHidTransport and NodeHidMonitor run unchanged without USB. It lists the
 * devices plugged into it as hidapi's `devicesAsync()` does (one record per HID interface),
 * opens them as `HIDAsync.open(path)` does, and behaves as hidapi does when a device goes:
 * the open handle's read fails with an `error` event and the device leaves the listing.
 *
 * A plugged device is either a report player (input reports pushed by the test, output
 * reports recorded) or a simulator's device end (`SimulatedJig`, `SimulatedScanner`), so
 * the simulators' bytes travel through the real node-hid code path.
 */
import { EventEmitter } from "node:events";
import type { SimulatedDeviceEnd } from "./memory-transport";
import type { HidDeviceInfo } from "./hid-transport";

/** One interface as hidapi enumerates it (the fields node-hid's `Device` has). */
export interface HidapiRecord {
  vendorId: number;
  productId: number;
  path: string;
  serialNumber?: string;
  manufacturer?: string;
  product?: string;
  release: number;
  interface: number;
  usagePage?: number;
  usage?: number;
}

/**
 * Interfaces as hidapi (hidraw backend) lists them for scanners in HID-POS mode. The usage
 * page and usage are the ones the HID Point of Sale Usage Tables define (0x8C, 0x02 Bar
 * Code Scanner); the vendor IDs are Honeywell's (0x0C2E) and Zebra's (0x05E0). A scanner
 * also offering a keyboard interface lists it separately (usage page 0x01, usage 0x06):
 * that one must never be opened. Product IDs and serials are examples, not a certification list.
 */
export const RECORDED = {
  honeywellHidPos: {
    vendorId: 0x0c2e,
    productId: 0x0b87,
    path: "/dev/hidraw2",
    serialNumber: "21046B4F3A",
    manufacturer: "Honeywell Imaging & Mobility",
    product: "Honeywell 1950g HID POS",
    release: 0x0100,
    interface: 0,
    usagePage: 0x8c,
    usage: 0x02,
  },
  zebraHidPos: {
    vendorId: 0x05e0,
    productId: 0x1300,
    path: "/dev/hidraw5",
    serialNumber: "S22153523021234",
    manufacturer: "Zebra Technologies",
    product: "Zebra DS2208 HID POS",
    release: 0x0100,
    interface: 0,
    usagePage: 0x8c,
    usage: 0x02,
  },
  zebraKeyboard: {
    vendorId: 0x05e0,
    productId: 0x1300,
    path: "/dev/hidraw6",
    serialNumber: "S22153523021234",
    manufacturer: "Zebra Technologies",
    product: "Zebra DS2208 HID POS",
    release: 0x0100,
    interface: 1,
    usagePage: 0x01,
    usage: 0x06,
  },
  mouse: {
    vendorId: 0x046d,
    productId: 0xc077,
    path: "/dev/hidraw0",
    manufacturer: "Logitech",
    product: "USB Optical Mouse",
    release: 0x7200,
    interface: 0,
    usagePage: 0x01,
    usage: 0x02,
  },
} satisfies Record<string, HidapiRecord>;

/** An open handle, as node-hid's HIDAsync. */
class FakeHidAsync extends EventEmitter {
  closed = false;
  constructor(
    readonly path: string,
    private readonly owner: FakeNodeHid,
  ) {
    super();
  }
  async write(values: number[] | Buffer): Promise<number> {
    if (this.closed) throw new Error("Cannot write to hid device");
    const bytes = Buffer.from(values);
    const device = this.owner.plugged.get(this.path);
    if (device === undefined) throw new Error("Cannot write to hid device");
    // hidapi sends the report ID first (0 for unnumbered reports); the device sees the report without it when it is 0.
    const report = bytes[0] === 0 ? bytes.subarray(1) : bytes;
    device.writes.push(new Uint8Array(report));
    for (const listener of [...device.outputListeners]) listener(new Uint8Array(report));
    return bytes.length;
  }
  async close(): Promise<void> {
    this.closed = true;
    this.owner.handles.delete(this.path);
  }
}

interface Plugged {
  record: HidapiRecord;
  writes: Uint8Array[];
  outputListeners: Set<(report: Uint8Array) => void>;
  /** Opening fails with this message (e.g. no permission on /dev/hidrawN). */
  openError: string | null;
}

export class FakeNodeHid {
  readonly plugged = new Map<string, Plugged>();
  readonly handles = new Map<string, FakeHidAsync>();
  /** Enumeration fails with this (e.g. udev gone) while set. */
  listError: string | null = null;

  readonly HIDAsync = {
    open: async (path: string): Promise<FakeHidAsync> => {
      const device = this.plugged.get(path);
      if (device === undefined) throw new Error(`cannot open device with path ${path}`);
      if (device.openError !== null) throw new Error(device.openError);
      const handle = new FakeHidAsync(path, this);
      this.handles.set(path, handle);
      return handle;
    },
  };

  readonly devicesAsync = async (): Promise<HidapiRecord[]> => {
    if (this.listError !== null) throw new Error(this.listError);
    return [...this.plugged.values()].map((d) => ({ ...d.record }));
  };

  /** Plugs in one interface; `openError` makes opening it fail as hidapi would. */
  plug(
    record: HidapiRecord,
    options: { openError?: string; outputListeners?: Set<(report: Uint8Array) => void> } = {},
  ): void {
    this.plugged.set(record.path, {
      record,
      writes: [],
      outputListeners: options.outputListeners ?? new Set(),
      openError: options.openError ?? null,
    });
  }

  /** Unplugs: the listing loses it and an open handle's read fails (hidapi's unplug). */
  unplug(path: string, reason = "could not read from HID device"): void {
    this.plugged.delete(path);
    const handle = this.handles.get(path);
    if (handle !== undefined && !handle.closed) handle.emit("error", new Error(reason));
  }

  /** The device sends an input report (as read from hidraw: report ID first when reports are numbered). */
  input(path: string, report: Uint8Array): void {
    const handle = this.handles.get(path);
    if (handle !== undefined && !handle.closed) handle.emit("data", Buffer.from(report));
  }

  /** Output reports the host wrote to the device, without hidapi's leading report ID 0. */
  writes(path: string): Uint8Array[] {
    return this.plugged.get(path)?.writes ?? [];
  }

  /**
   * Plugs in a simulator behind a device end: its reports go through this fake as USB
   * traffic. Returns the end to hand to `new SimulatedJig(end, …)` / `new SimulatedScanner(end)`.
   */
  plugSimulator(record: HidapiRecord): SimulatedDeviceEnd {
    const outputs = new Set<(report: Uint8Array) => void>();
    this.plug(record, { outputListeners: outputs });
    return simulatorEnd(this, record, outputs);
  }
}

function simulatorEnd(
  fake: FakeNodeHid,
  record: HidapiRecord,
  outputs: Set<(report: Uint8Array) => void>,
): SimulatedDeviceEnd {
  const info: HidDeviceInfo = {
    path: record.path,
    vendorId: record.vendorId,
    productId: record.productId,
    ...(record.serialNumber === undefined ? {} : { serialNumber: record.serialNumber }),
  };
  return {
    info,
    get connected() {
      const handle = fake.handles.get(record.path);
      return fake.plugged.has(record.path) && handle !== undefined && !handle.closed;
    },
    send(report) {
      // Delivered later, as USB would.
      setImmediate(() => fake.input(record.path, report));
    },
    onReport(listener) {
      outputs.add(listener);
      return () => outputs.delete(listener);
    },
    detach(reason) {
      fake.unplug(record.path, reason);
    },
    reattach() {
      fake.plug(record, { outputListeners: outputs });
    },
  };
}
