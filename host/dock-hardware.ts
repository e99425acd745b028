import type { HotplugSource } from "../hardware/hid/node-hid-transport";
import type { JigLink } from "../hardware/jig/jig-link";
import type { HostConfig } from "./config";
import { createDeviceRegistry, type DeviceRegistry } from "./device-registry";
import type { Logger } from "./log";
import { createSimulatedScannerService, createUsbScannerService, type ScannerService } from "./scanner-service";
import { UsbDevices } from "./usb-devices";

/**
 * The dock's hardware as the configuration says: `DOCK_HARDWARE=simulated` gives the
 * simulated HID-POS scanner (the jig station simulates its own jigs); `auto` watches USB
 * through node-hid (./usb-devices.ts) for HID-POS scanners and the site's jigs. Both shells
 * (host/main.ts, electron/electron-shell.ts) build it the same way and hand `scanner` and
 * `devices` to the host services.
 */
export interface DockHardware {
  scanner: ScannerService;
  devices: DeviceRegistry;
  /** Where USB jigs go once opened (the jig station's `attachJig`); jigs found before this is set wait for it. */
  onJig(attach: (link: JigLink) => Promise<unknown>): void;
  /** Lists what is plugged in and starts watching (nothing with simulated hardware). */
  start(): Promise<void>;
}

export async function createDockHardware(
  config: Pick<HostConfig, "simulated" | "usb">,
  logger: Logger,
  now: () => Date = () => new Date(),
): Promise<DockHardware> {
  const devices = createDeviceRegistry(now);
  if (config.simulated) {
    return {
      scanner: await createSimulatedScannerService(now, logger),
      devices,
      onJig: () => undefined,
      start: async () => undefined,
    };
  }
  const log = (message: string) => logger.info(message);
  const usb = new UsbDevices({
    registry: devices,
    jigIds: config.usb.jigIds,
    pollMs: config.usb.pollMs,
    hotplug: await loadHotplugSource(log),
    log,
    now,
  });
  let attach: ((link: JigLink) => Promise<unknown>) | null = null;
  const waiting: JigLink[] = [];
  const hand = (link: JigLink) => {
    if (attach === null) return void waiting.push(link);
    attach(link).catch((err: unknown) =>
      logger.warn(
        { err },
        `usb: a jig could not join the station: ${err instanceof Error ? err.message : String(err)}`,
      ),
    );
  };
  usb.on("jig", (link) => hand(link));
  return {
    scanner: createUsbScannerService(usb, log),
    devices,
    onJig(fn) {
      attach = fn;
      for (const link of waiting.splice(0)) hand(link);
    },
    start: () => usb.start(),
  };
}

/**
 * Hot-plug events from the `usb` package (libusb) when it is installed; node-hid has none,
 * so without it the watcher polls. Optional on purpose: it is a second native module to
 * build for every Electron version, and polling once a second is enough for a dock.
 */
async function loadHotplugSource(log: (message: string) => void): Promise<HotplugSource | null> {
  const name = "usb";
  try {
    const mod = (await import(name)) as { usb?: unknown };
    const source = mod.usb as Partial<HotplugSource> | undefined;
    if (source !== undefined && typeof source.on === "function") return source as HotplugSource;
  } catch {
    // Not installed: poll.
  }
  log("usb: no hot-plug events (the optional `usb` package is not installed); polling for devices");
  return null;
}
