import { join } from "node:path";
import { startBrowserShell } from "./browser-shell";
import { loadHostConfig } from "./config";
import { createDockHardware } from "./dock-hardware";
import { fileEnrolmentStore, loadDockCredentials, pinPublisherKey } from "./enrolment";
import { downloadFirmwareOnce, keepFirmwareCurrent } from "./jig/firmware-download";
import { loadJigStationConfig, startJigStation } from "./jig/jig-station-setup";
import { createHostLog, fallbackLogger, logLine } from "./log";

/**
 * `npx tsx host/main.ts`: the browser shell. Logs to `<DOCK_DATA_DIR>/logs/host.N.log`
 * (./log.ts) and prints each message; prints the URL to open, and one machine-readable
 * line (`DOCK_HOST_READY {"url":...}`) that the e2e fixture waits for.
 */

const loaded = loadHostConfig(process.env);
if (!loaded.ok) {
  fallbackLogger().fatal(loaded.error);
  process.exit(2);
}
const configured = loaded.config;
const logDir = join(configured.dataDir, "logs");
const { logger, flush } = await createHostLog({ dir: logDir, name: "host" });
const log = logLine(logger);
process.on("uncaughtException", (err) => {
  logger.fatal({ err }, `host: crashed: ${err.message}`);
  flush();
  process.exit(1);
});
const jigConfig = loadJigStationConfig(process.env, configured);
if (!jigConfig.ok) {
  logger.fatal(jigConfig.error);
  flush();
  process.exit(2);
}
// The dock's central credential: DOCK_CENTRAL_TOKEN (development), else its enrolment, else the enrolment screen (./enrolment.ts).
const publisherKeyPath = jigConfig.config.publisherKeyPath;
const credentials = await loadDockCredentials({
  config: configured,
  store: fileEnrolmentStore(configured.dataDir, null),
  enrolmentOff: configured.enrolment?.off ?? false,
  allowPlainHttp: configured.enrolment?.allowPlainHttp ?? false,
  log,
  onEnrolled: (e) => pinPublisherKey(publisherKeyPath, e.publisherKeyPem),
});
const config = credentials.config;
// Without a readable firmware folder the host still runs (receiving needs no jig); the jig.* channels then answer "unavailable".
const hardware = await createDockHardware(config, logger);
// Firmware over the network: one pass before the station starts (an empty folder has no catalogue yet), then every JIG_FIRMWARE_SYNC_MS.
const syncFirmware =
  jigConfig.config.mode !== "off" && config.centralToken !== null && jigConfig.config.firmwareSyncMs > 0;
if (syncFirmware && config.centralToken !== null)
  await downloadFirmwareOnce({
    centralUrl: config.centralUrl,
    token: config.centralToken,
    dir: jigConfig.config.firmwareDir,
    publisherKeyPath: jigConfig.config.publisherKeyPath,
    fetch: credentials.fetch,
    log,
  });
const jig = await startJigStation(jigConfig.config, log);
if (jig.ok) hardware.onJig((link) => jig.station.attachJig(link));
// The catalogue and new images from central, checked against the pinned key, taken without a restart.
const stopFirmwareSync =
  jig.ok && syncFirmware && config.centralToken !== null
    ? keepFirmwareCurrent({
        centralUrl: config.centralUrl,
        token: config.centralToken,
        dir: jigConfig.config.firmwareDir,
        publisherKeyPath: jigConfig.config.publisherKeyPath,
        fetch: credentials.fetch,
        everyMs: jigConfig.config.firmwareSyncMs,
        reload: () => jig.station.reloadFirmware(),
        log,
      })
    : () => undefined;
await hardware.start();
if (jig.ok) log(jig.station.summary);
else if (jigConfig.config.mode === "off") log("jig station: off");
else
  logger.warn(
    `jig station: not started: ${jig.reason} (fill the folder with npx tsx host/jig/jig-firmware-import.ts, see docs/jig-station.md)`,
  );
const shell = await startBrowserShell({
  config,
  log,
  logger,
  logDir,
  hardware,
  credentials,
  ...(jig.ok ? { jig: jig.station.binding } : {}),
}).catch((err: unknown) => {
  logger.fatal({ err }, `host: could not start: ${err instanceof Error ? err.message : String(err)}`);
  flush();
  process.exit(1);
});

log(
  `Dock host (browser shell) for ${config.dockId} at ${config.site.name}; central ${config.centralUrl}; hardware ${config.simulated ? "simulated" : "USB (auto)"}; logs in ${logDir}`,
);
if (credentials.state === "needed")
  log(`enrolment: this dock is not enrolled yet; the page asks for central's address and a code from the DCC desk`);
log(`Open ${shell.url} in Chromium (bridge at ws://127.0.0.1:${shell.port}/bridge, loopback only)`);
// A protocol line for the e2e fixture and scripts/start.sh, not a log message.
process.stdout.write(`DOCK_HOST_READY ${JSON.stringify({ url: shell.url, port: shell.port })}\n`);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    stopFirmwareSync();
    void shell
      .close()
      .then(() => (jig.ok ? jig.station.close() : undefined))
      .then(() => {
        flush();
        process.exit(0);
      });
  });
}
