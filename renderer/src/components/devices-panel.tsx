import { useEffect, useState } from "react";
import type { DeviceView } from "../../../shared/bridge/channels";

const STATE_WORDS: Record<DeviceView["state"], string> = {
  connected: "connected",
  disconnected: "unplugged",
  failed: "NOT WORKING",
};

function hex4(n: number | null): string {
  return n === null ? "" : n.toString(16).toUpperCase().padStart(4, "0");
}

/**
 * The scanners and jigs the host has found (USB) or simulates: state, the latest problem in
 * plain words, and the last read. The host sends the whole list on every change
 * (`devices.changed`); it is asked once when the panel opens (`devices.list`).
 */
export function DevicesPanel() {
  const [devices, setDevices] = useState<DeviceView[] | null>(null);
  // No host (the page opened on its own): known at the first render, so no effect sets it.
  const [problem, setProblem] = useState<string | null>(() =>
    window.dock === undefined ? "No host is connected, so no scanner or jig can be seen." : null,
  );
  const [logs, setLogs] = useState<{ logDir: string | null; crashDumpDir: string | null } | null>(null);
  // The app's own update (Electron with an update server); nothing is shown where it is off.
  const [update, setUpdate] = useState<{ ready: boolean; message: string } | null>(null);
  useEffect(() => {
    const bridge = window.dock;
    if (bridge === undefined) return;
    let live = true;
    const off = bridge.on("devices.changed", (p) => setDevices(p.devices));
    // For support staff on the phone: where this dock keeps its logs and crash reports.
    bridge.invoke("host.logs", {}).then(
      (r) => live && setLogs(r),
      () => undefined,
    );
    bridge.invoke("update.status", {}).then(
      (r) => live && r.on && setUpdate({ ready: r.ready, message: r.message }),
      () => undefined,
    );
    bridge.invoke("devices.list", {}).then(
      (r) => live && setDevices((now) => now ?? r.devices),
      () => live && setProblem("The host did not say which devices it has."),
    );
    return () => {
      live = false;
      off();
    };
  }, []);
  return (
    <section className="panel devices" aria-label="devices" data-testid="devices-panel">
      <h2>Scanners and jigs</h2>
      {problem !== null && <p className="devices-problem">{problem}</p>}
      {devices !== null && devices.length === 0 && (
        <p>No HID-POS scanner or jig found. Plug one in; it appears here within a second.</p>
      )}
      {devices !== null && devices.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>device</th>
              <th>state</th>
              <th>last read</th>
            </tr>
          </thead>
          <tbody>
            {devices.map((d) => (
              <tr key={d.id} data-testid={`device-${d.id}`} className={`device-${d.state}`}>
                <td>
                  {d.kind === "scanner" ? "Scanner" : "Jig"}: {d.name}
                  {d.simulated
                    ? " (simulated)"
                    : d.vendorId !== null
                      ? ` ${hex4(d.vendorId)}:${hex4(d.productId)}`
                      : ""}
                </td>
                <td data-testid="device-state">
                  {STATE_WORDS[d.state]}
                  {d.detail !== null && <span className="device-detail">: {d.detail}</span>}
                </td>
                <td data-testid="device-last-read">
                  {d.lastRead === null ? "–" : `${d.lastRead.raw} at ${new Date(d.lastRead.at).toLocaleTimeString()}`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {logs !== null && (logs.logDir !== null || logs.crashDumpDir !== null) && (
        <p className="support-logs" data-testid="support-logs">
          For support: logs are in <code>{logs.logDir ?? "–"}</code>
          {logs.crashDumpDir !== null && (
            <>
              , crash reports in <code>{logs.crashDumpDir}</code>
            </>
          )}
          .
        </p>
      )}
      {update !== null && (
        <p className="app-update" data-testid="app-update">
          {update.message}{" "}
          {update.ready && (
            <button
              type="button"
              onClick={() => {
                // The host decides (no restart while a hub is being flashed) and says why.
                window.dock?.invoke("update.restart", {}).then(
                  (r) => setUpdate({ ready: !r.restarting, message: r.message }),
                  () => setUpdate({ ready: true, message: "The app could not be restarted; it updates when closed." }),
                );
              }}
            >
              Restart to update
            </button>
          )}
        </p>
      )}
    </section>
  );
}
