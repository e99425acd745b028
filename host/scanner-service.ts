import { HidPosScanner, type HidPosRead } from "../hardware/scanner/hid-pos-scanner";
import { SimulatedScanner } from "../hardware/scanner/simulated-scanner";
import { fallbackLogger, type Logger } from "./log";
import type { UsbDevices } from "./usb-devices";
import { BridgeError, ScannerScanSchema, describeZodError, type ScannerScan } from "../shared/bridge/channels";

/**
 * HID-POS scanners as the bridge sees them: a stream of raw reads that the host fans out
 * as `scanner.scan` events. Every read goes through the real HID-POS driver
 * (hardware/scanner/hid-pos-scanner.ts); in simulated mode its device is the simulator
 * (hardware/scanner/simulated-scanner.ts) on an in-memory HID link, so `scanner.simulate`
 * exercises the same report framing as a USB scanner. With `DOCK_HARDWARE=auto` the reads
 * come from every HID-POS scanner node-hid finds (./usb-devices.ts, `createUsbScannerService`).
 */

export interface ScannerService {
  /** True when reads come from the simulator (so `scanner.simulate` is allowed). */
  readonly simulated: boolean;
  onScan(listener: (scan: ScannerScan) => void): () => void;
  /** Makes the simulated scanner read `raw`; resolves with the read as the driver delivered it. */
  simulate(raw: string, symbology?: string): Promise<ScannerScan>;
  close(): Promise<void>;
}

/** How long a simulated read may take through the in-memory link before it counts as lost. */
const SIMULATED_READ_TIMEOUT_MS = 5000;

/** The driver's read as the bridge carries it, or null (with why) when it breaks the channel map. */
function toScan(read: HidPosRead): { ok: true; scan: ScannerScan } | { ok: false; reason: string } {
  const parsed = ScannerScanSchema.safeParse({
    source: "hid-pos",
    raw: read.raw,
    at: read.at.toISOString(),
    scannerId: read.scannerId,
    ...(read.symbology === null ? {} : { symbology: read.symbology }),
  });
  return parsed.success ? { ok: true, scan: parsed.data } : { ok: false, reason: describeZodError(parsed.error) };
}

/** The simulated HID-POS scanner behind the real driver; resolves once the driver is open. */
export async function createSimulatedScannerService(
  now: () => Date = () => new Date(),
  logger: Pick<Logger, "error"> = fallbackLogger(),
): Promise<ScannerService> {
  const { scanner: device, pair } = SimulatedScanner.create("SIM-SCANNER");
  const driver = new HidPosScanner(pair.host, "simulated", { now });
  const listeners = new Set<(scan: ScannerScan) => void>();
  // Reads are matched to simulate() calls in order: one at a time through the link.
  let queue: Promise<unknown> = Promise.resolve();
  let waiting: { resolve: (scan: ScannerScan) => void; reject: (err: Error) => void } | null = null;

  driver.on("scan", (read) => {
    const converted = toScan(read);
    if (!converted.ok) {
      logger.error(`host: dropped a HID-POS read that breaks the bridge schema: ${converted.reason}`);
      waiting?.reject(new BridgeError("failed", `scanner.simulate: the read broke the schema (${converted.reason})`));
      waiting = null;
      return;
    }
    for (const listener of [...listeners]) listener(converted.scan);
    waiting?.resolve(converted.scan);
    waiting = null;
  });
  driver.on("error", (reason) => {
    logger.error(`host: HID-POS scanner: ${reason}`);
    waiting?.reject(new BridgeError("failed", `scanner.simulate: the scanner driver refused the read (${reason})`));
    waiting = null;
  });
  await driver.open();

  return {
    simulated: true,
    onScan(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    simulate(raw, symbology) {
      // A HID-POS scanner sends bytes; a character above U+00FF cannot come from one.
      if (!/^[\x01-\xff]+$/.test(raw))
        return Promise.reject(
          new BridgeError("bad-request", "scanner.simulate: raw must be Latin-1 (a HID-POS scanner sends bytes)"),
        );
      const run = queue.then(
        () =>
          new Promise<ScannerScan>((resolve, reject) => {
            const timer = setTimeout(() => {
              waiting = null;
              reject(new BridgeError("failed", "scanner.simulate: the simulated read never arrived"));
            }, SIMULATED_READ_TIMEOUT_MS);
            waiting = {
              resolve: (scan) => (clearTimeout(timer), resolve(scan)),
              reject: (err) => (clearTimeout(timer), reject(err)),
            };
            device.scan(raw, symbology ?? null);
          }),
      );
      queue = run.catch(() => undefined);
      return run;
    },
    async close() {
      listeners.clear();
      await driver.close();
    },
  };
}

/** Reads from the USB HID-POS scanners `usb` finds; `scanner.simulate` is refused. Closing stops the USB watcher. */
export function createUsbScannerService(
  usb: UsbDevices,
  log: (message: string) => void = () => undefined,
): ScannerService {
  const listeners = new Set<(scan: ScannerScan) => void>();
  const onRead = (read: HidPosRead) => {
    const converted = toScan(read);
    if (!converted.ok) {
      log(`host: dropped a HID-POS read that breaks the bridge schema: ${converted.reason}`);
      return;
    }
    for (const listener of [...listeners]) listener(converted.scan);
  };
  usb.on("scan", onRead);
  return {
    simulated: false,
    onScan(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    simulate() {
      return Promise.reject(new BridgeError("unavailable", "scanner.simulate: this host drives real scanners"));
    },
    async close() {
      listeners.clear();
      usb.off("scan", onRead);
      await usb.stop();
    },
  };
}
