/**
 * SimulatedScanner: the device side of a HID-POS scanner, sending the same Scanned Data
 * reports a real one does over an in-memory HID link.
 */
import type { MemoryTransportPair, SimulatedDeviceEnd } from "../hid/memory-transport";
import { createMemoryTransportPair } from "../hid/memory-transport";
import type { HidPosLayout } from "./hid-pos-report";
import { buildScannedDataReports, DEFAULT_HID_POS_LAYOUT, HID_POS_USAGE_PAGE } from "./hid-pos-report";

export class SimulatedScanner {
  constructor(
    private readonly device: SimulatedDeviceEnd,
    private readonly layout: HidPosLayout = DEFAULT_HID_POS_LAYOUT,
  ) {}

  /** A scanner with its own in-memory link; `pair.host` is what the driver opens. */
  static create(serial = "SIM-SCANNER"): { scanner: SimulatedScanner; pair: MemoryTransportPair } {
    const pair = createMemoryTransportPair({
      path: `sim://scanner/${serial}`,
      vendorId: 0x0c2e,
      productId: 0x0b61,
      serialNumber: serial,
      usagePage: HID_POS_USAGE_PAGE,
      usage: 0x02,
    });
    return { scanner: new SimulatedScanner(pair.device), pair };
  }

  /** Reads a barcode: `data` is sent one byte per char (Latin-1), with its AIM identifier. */
  scan(data: string, symbology: string | null = "]C0"): void {
    const bytes = Uint8Array.from(data, (c) => c.charCodeAt(0) & 0xff);
    for (const r of buildScannedDataReports(bytes, symbology, this.layout)) this.device.send(r);
  }

  /** Sends any bytes as a report (garbage, other report IDs) for tests. */
  sendRaw(report: Uint8Array): void {
    this.device.send(report);
  }

  unplug(): void {
    this.device.detach("scanner unplugged");
  }

  plugIn(): void {
    this.device.reattach();
  }
}
