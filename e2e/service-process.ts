import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";

/**
 * A service the e2e fixture runs as a child process (the host, central): started with
 * `node --import tsx`, stopped by its own pid (SIGTERM, then SIGKILL), restartable on
 * the same port and data dir (a spec takes central "offline" and back).
 */

export interface ServiceProcess {
  readonly name: string;
  /** Everything it printed, for a failing test's message. */
  output(): string;
  /** Stops it (resolves once it exited); a second call is harmless. */
  stop(): Promise<void>;
  /** Starts it again with the same environment. */
  restart(): Promise<void>;
  running(): boolean;
}

export interface StartOptions {
  name: string;
  script: string;
  env: Record<string, string>;
  cwd: string;
  /** Resolves when the service is ready; rejects (with reason) otherwise. Gets the output so far. */
  ready: (output: () => string, child: ChildProcess) => Promise<void>;
}

/** A free TCP port on loopback (the OS picks; the tiny window before the service binds it is accepted). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** Polls `url` until it answers 2xx (the service is listening and healthy). */
export async function waitForHttp(url: string, isAlive: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`service for ${url} exited before it listened`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/** Starts a TypeScript service under tsx and waits until it is ready. */
export async function startService(options: StartOptions): Promise<ServiceProcess> {
  let log = "";
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  async function start(): Promise<void> {
    const proc = spawn(process.execPath, ["--import", "tsx", options.script], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = proc;
    exited = new Promise((resolve) => proc.once("exit", () => resolve()));
    proc.stdout?.on("data", (d: Buffer) => (log += d.toString("utf8")));
    proc.stderr?.on("data", (d: Buffer) => (log += d.toString("utf8")));
    // Readiness is judged on this run's output only: after a restart, the previous run's
    // ready line must not count.
    const runStart = log.length;
    try {
      await options.ready(() => log.slice(runStart), proc);
    } catch (err) {
      await stop();
      throw new Error(
        `${options.name} did not start: ${err instanceof Error ? err.message : String(err)}\n--- output ---\n${log}`,
      );
    }
  }

  async function stop(): Promise<void> {
    const proc = child;
    if (proc === null) return;
    child = null;
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill("SIGTERM");
      const killer = setTimeout(() => proc.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(killer);
    }
  }

  await start();
  return {
    name: options.name,
    output: () => log,
    stop,
    async restart() {
      await stop();
      await start();
    },
    running: () => child !== null && child.exitCode === null,
  };
}
