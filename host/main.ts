import { startBrowserShell } from "./browser-shell";
import { loadHostConfig } from "./config";
import { createDockHardware } from "./dock-hardware";
import { loadJigStationConfig, startJigStation } from "./jig/jig-station-setup";

/**
 * `npx tsx host/main.ts`: the browser shell. Prints the URL to open, and one
 * machine-readable line (`DOCK_HOST_READY {"url":...}`) that the e2e fixture waits for.
 */

const loaded = loadHostConfig(process.env);
if (!loaded.ok) {
  console.error(loaded.error);
  process.exit(2);
}
const config = loaded.config;
const jigConfig = loadJigStationConfig(process.env, config);
if (!jigConfig.ok) {
  console.error(jigConfig.error);
  process.exit(2);
}
// Without a readable firmware folder the host still runs (receiving needs no jig); the jig.* channels then answer "unavailable".
const hardware = await createDockHardware(config, (m) => console.log(m));
const jig = await startJigStation(jigConfig.config, (m) => console.log(m));
if (jig.ok) hardware.onJig((link) => jig.station.attachJig(link));
await hardware.start();
if (jig.ok) console.log(jig.station.summary);
else if (jigConfig.config.mode === "off") console.log("jig station: off");
else console.log(`jig station: not started: ${jig.reason} (fill the folder with npx tsx host/jig/jig-firmware-import.ts, see docs/jig-station.md)`);
const shell = await startBrowserShell({ config, log: (m) => console.log(m), hardware, ...(jig.ok ? { jig: jig.station.binding } : {}) }).catch((err: unknown) => {
  console.error(`host: could not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

console.log(`Dock host (browser shell) for ${config.dockId} at ${config.site.name}; central ${config.centralUrl}; hardware ${config.simulated ? "simulated" : "real"}`);
console.log(`Open ${shell.url} in Chromium (bridge at ws://127.0.0.1:${shell.port}/bridge, loopback only)`);
console.log(`DOCK_HOST_READY ${JSON.stringify({ url: shell.url, port: shell.port })}`);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void shell
      .close()
      .then(() => (jig.ok ? jig.station.close() : undefined))
      .then(() => process.exit(0));
  });
}
