import type { DeviceView } from "../shared/bridge/channels";

/**
 * What the devices panel shows: every scanner and jig the host has seen since it started
 * (USB, ./usb-devices.ts, or simulated), its state, the latest problem in plain words and
 * its last read. One place both the USB watcher and the simulators report to; the host
 * services put it on the bridge (`devices.list`, `devices.changed`).
 */
export interface DeviceRegistry {
  list(): DeviceView[];
  /** Adds or replaces a device (keeps its last read unless one is given). */
  upsert(device: Omit<DeviceView, "lastRead" | "since"> & { lastRead?: DeviceView["lastRead"] }): void;
  /** Changes a known device's state and detail; unknown ids are ignored. */
  setState(id: string, state: DeviceView["state"], detail: string | null): void;
  /** A known device read something (shown clipped to 200 characters, control characters made visible). */
  recordRead(id: string, raw: string, at: Date): void;
  onChange(listener: (devices: DeviceView[]) => void): () => void;
}

const MAX_DEVICES = 64;

export function createDeviceRegistry(now: () => Date = () => new Date()): DeviceRegistry {
  const devices = new Map<string, DeviceView>();
  const listeners = new Set<(devices: DeviceView[]) => void>();
  const list = () => [...devices.values()];
  const changed = () => {
    const snapshot = list();
    for (const listener of [...listeners]) listener(snapshot);
  };
  return {
    list,
    upsert(device) {
      const old = devices.get(device.id);
      if (old === undefined && devices.size >= MAX_DEVICES) {
        // Forget the oldest unplugged device rather than grow without bound on a flaky hub.
        const gone = [...devices.values()].find((d) => d.state === "disconnected");
        if (gone === undefined) return;
        devices.delete(gone.id);
      }
      devices.set(device.id, {
        ...device,
        detail: device.detail?.slice(0, 500) ?? null,
        lastRead: device.lastRead ?? old?.lastRead ?? null,
        since: now().toISOString(),
      });
      changed();
    },
    setState(id, state, detail) {
      const old = devices.get(id);
      if (old === undefined) return;
      devices.set(id, {
        ...old,
        state,
        detail: detail?.slice(0, 500) ?? null,
        since: old.state === state ? old.since : now().toISOString(),
      });
      changed();
    },
    recordRead(id, raw, at) {
      const old = devices.get(id);
      if (old === undefined) return;
      devices.set(id, { ...old, lastRead: { raw: visible(raw).slice(0, 200), at: at.toISOString() } });
      changed();
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** GS and other control characters as the usual ⟨GS⟩ notation, so a read is legible on screen. */
function visible(raw: string): string {
  return raw.replace(/[\x00-\x1f\x7f]/g, (c) =>
    c === "\x1d" ? "⟨GS⟩" : `⟨${c.charCodeAt(0).toString(16).padStart(2, "0")}⟩`,
  );
}
