import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import type { Server } from "node:http";
import { attachBridgeServer, type BridgeServer } from "./bridge-server";
import type { HostConfig } from "./config";
import { createHostServices, type HostServices } from "./host-services";
import type { DockHardware } from "./dock-hardware";
import type { DockCredentials } from "./enrolment";
import type { Logger } from "./log";
import type { JigBinding } from "./jig/jig-binding";
import { LAUNCH_PARAM, LaunchGate, launchCookieName } from "./launch-token";
import { createRendererApp } from "./renderer-server";

/**
 * The browser shell: the host services, the built renderer and the bridge's WebSocket on
 * one HTTP server bound to 127.0.0.1. host/main.ts runs it from the command line; tests
 * and the e2e fixture start it in-process or as a child process.
 */

/** The loopback address the shell binds to; never configurable (see ./config.ts). */
export const LOOPBACK = "127.0.0.1";

export interface BrowserShell {
  /** The URL to open, carrying the launch token: http://127.0.0.1:4020/?launch=… */
  url: string;
  /**
   * A Cookie header admitted as a session of this launch, opened in-process (for in-process
   * tests: a browser gets its own by opening `url`, which works once).
   */
  cookie: string;
  port: number;
  /** The shell's own origin, the only one allowed on the bridge. */
  origin: string;
  /** The per-launch secret (exposed for in-process tests; main.ts never prints it). */
  secret: string;
  services: HostServices;
  bridge: BridgeServer;
  close(): Promise<void>;
}

export interface BrowserShellOptions {
  config: HostConfig;
  /** Null keeps the journal in memory. Defaults to config.dataDir. */
  dataDir?: string | null;
  log?: (message: string) => void;
  helloTimeoutMs?: number;
  /** The jig station to put on the bridge (host/jig/jig-binding.ts); none by default. */
  jig?: JigBinding;
  /** The host's log (./log.ts) and where its files are, for `host.logs`. */
  logger?: Logger;
  logDir?: string | null;
  /** The scanners and the devices panel's list (host/dock-hardware.ts); the simulated scanner by default. */
  hardware?: Pick<DockHardware, "scanner" | "devices">;
  /** The dock's central credential and its enrolment (./enrolment.ts); the config's token as given without it. */
  credentials?: Pick<DockCredentials, "enrol" | "current">;
}

/** Starts the browser shell and resolves once it listens. */
export async function startBrowserShell(options: BrowserShellOptions): Promise<BrowserShell> {
  const { config } = options;
  // 32 bytes from the OS CSPRNG, new at every launch: a page served by an earlier run cannot connect.
  const secret = randomBytes(32).toString("hex");
  const launchToken = randomBytes(32).toString("hex");
  const gate = new LaunchGate(launchToken);
  const services = await createHostServices({
    shell: "browser",
    config,
    dataDir: options.dataDir === undefined ? config.dataDir : options.dataDir,
    ...(options.jig === undefined ? {} : { jig: options.jig }),
    ...(options.hardware === undefined ? {} : { scanner: options.hardware.scanner, devices: options.hardware.devices }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    logDir: options.logDir ?? null,
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  });
  let port = config.port;
  const allowedHosts = () => [`${LOOPBACK}:${port}`, `localhost:${port}`];
  const allowedOrigins = () => [`http://${LOOPBACK}:${port}`, `http://localhost:${port}`];
  const app = createRendererApp({ rendererDist: config.rendererDist, secret, gate, port: () => port, allowedHosts });
  const server = createAdaptorServer({ fetch: app.fetch, hostname: LOOPBACK }) as Server;
  const bridge = attachBridgeServer({
    server,
    secret,
    launchCookie: () => ({ name: launchCookieName(port), admits: (value) => gate.admits(value) }),
    allowedOrigins,
    allowedHosts,
    services,
    ...(options.log === undefined ? {} : { log: options.log }),
    ...(options.helloTimeoutMs === undefined ? {} : { helloTimeoutMs: options.helloTimeoutMs }),
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, LOOPBACK, () => {
      server.off("error", reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://${LOOPBACK}:${port}`;
  return {
    url: `${origin}/?${LAUNCH_PARAM}=${launchToken}`,
    cookie: `${launchCookieName(port)}=${gate.openSession()}`,
    port,
    origin,
    secret,
    services,
    bridge,
    async close() {
      await bridge.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await services.close();
    },
  };
}
