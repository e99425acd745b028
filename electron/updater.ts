import type { AppUpdater, ProgressInfo, UpdateDownloadedEvent, UpdateInfo } from "electron-updater";
import { z } from "zod";
import { isLoopbackHost } from "../host/config";
import type { BridgeHandlers } from "../shared/bridge/channels";
import type { Logger } from "../host/log";
import { updateDecision, type UpdateDecision, type UpdateState } from "../shared/domain/update-decision";

/**
 * Updates of the dock app through electron-updater, against the generic server named by
 * `DOCK_UPDATE_URL` (docs/electron.md "Updates"). Nothing here runs when it is unset. The
 * updater checks at start and every `DOCK_UPDATE_CHECK_HOURS`, downloads what it finds, and
 * installs it when the app quits; it restarts the app earlier only when an operator asks and
 * `updateDecision` (shared/domain/update-decision.ts) allows it. Every step goes to the host's
 * log; a failed check is logged and retried at the next period, never thrown.
 */

export interface UpdateConfig {
  url: string;
  everyMs: number;
}

const HOUR_MS = 3_600_000;

const UpdateEnvSchema = z.object({
  DOCK_UPDATE_URL: z
    .string()
    .trim()
    .optional()
    .transform((s) => (s === undefined || s === "" ? null : s))
    .superRefine((s, ctx) => {
      if (s === null) return;
      let url: URL;
      try {
        url = new URL(s);
      } catch {
        ctx.addIssue({ code: "custom", message: `DOCK_UPDATE_URL "${s}" is not a URL` });
        return;
      }
      if (url.protocol === "https:") return;
      if (url.protocol === "http:" && isLoopbackHost(url.hostname)) return;
      ctx.addIssue({
        code: "custom",
        message: `DOCK_UPDATE_URL must be an https:// address (plain http:// only to this machine), not "${s}"`,
      });
    }),
  DOCK_UPDATE_CHECK_HOURS: z
    .string()
    .trim()
    .optional()
    .transform((s) => (s === undefined || s === "" ? "6" : s))
    .transform(Number)
    .pipe(
      z
        .number({ error: "DOCK_UPDATE_CHECK_HOURS must be a number of hours" })
        .min(0.25, { error: "DOCK_UPDATE_CHECK_HOURS must be at least 0.25 (a quarter of an hour)" })
        .max(168, { error: "DOCK_UPDATE_CHECK_HOURS must be at most 168 (a week)" }),
    ),
});

export type UpdateConfigResult = { ok: true; config: UpdateConfig | null } | { ok: false; error: string };

/** Reads `DOCK_UPDATE_URL` / `DOCK_UPDATE_CHECK_HOURS`; a null config means updates are off. */
export function loadUpdateConfig(env: Record<string, string | undefined>): UpdateConfigResult {
  const parsed = UpdateEnvSchema.safeParse(env);
  if (!parsed.success) return { ok: false, error: parsed.error.issues.map((i) => i.message).join("; ") };
  const { DOCK_UPDATE_URL: url, DOCK_UPDATE_CHECK_HOURS: hours } = parsed.data;
  return { ok: true, config: url === null ? null : { url, everyMs: Math.round(hours * HOUR_MS) } };
}

/** The part of electron-updater's AppUpdater this module uses. */
export type UpdaterEngine = Pick<
  AppUpdater,
  "autoDownload" | "autoInstallOnAppQuit" | "logger" | "setFeedURL" | "checkForUpdates" | "on" | "quitAndInstall"
>;

export interface DockUpdater {
  /** What the updater is doing and what to tell the operator. */
  status(): { state: UpdateState } & UpdateDecision;
  /** An operator chose "Restart to update": installs now only when `updateDecision` allows it. */
  restartToUpdate(): UpdateDecision;
  /** Runs one check now (the periodic ones call this too); never rejects. */
  check(): Promise<void>;
  stop(): void;
}

export interface DockUpdaterOptions {
  config: UpdateConfig;
  logger: Logger;
  /** Hubs whose flash is under way; a restart waits for them. */
  flashesUnderway: () => number;
  /** electron-updater's autoUpdater (loaded only when updates are on: it needs Electron). */
  engine?: () => Promise<UpdaterEngine>;
  now?: () => Date;
}

/** How long "Restarting to install…" shows before the app quits. */
export const RESTART_DELAY_MS = 1500;

/** What the operator sees when a check fails: the details stay in the log. */
const FAILED_REASON = "the update server did not give a usable answer";

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export async function startDockUpdater(options: DockUpdaterOptions): Promise<DockUpdater> {
  const log = options.logger.child({ component: "updater" });
  const now = options.now ?? (() => new Date());
  const updater =
    options.engine === undefined ? (await import("electron-updater")).autoUpdater : await options.engine();
  let state: UpdateState = { kind: "idle" };
  let loggedQuarter = -1;
  const move = (next: UpdateState): void => {
    state = next;
  };

  updater.logger = {
    info: (m?: unknown) => log.debug({ from: "electron-updater" }, String(m)),
    warn: (m?: unknown) => log.warn({ from: "electron-updater" }, String(m)),
    error: (m?: unknown) => log.error({ from: "electron-updater" }, String(m)),
    debug: (m: string) => log.debug({ from: "electron-updater" }, m),
  };
  updater.autoDownload = true;
  updater.autoInstallOnAppQuit = true;
  updater.setFeedURL({ provider: "generic", url: options.config.url });

  updater.on("checking-for-update", () => {
    log.info({ url: options.config.url }, "updater: checking for an update");
    move({ kind: "checking" });
  });
  updater.on("update-not-available", (info: UpdateInfo) => {
    log.info({ latest: info.version }, "updater: this is the latest version");
    move({ kind: "up-to-date", checkedAt: now().toISOString() });
  });
  updater.on("update-available", (info: UpdateInfo) => {
    log.info({ version: info.version }, `updater: version ${info.version} found; downloading`);
    loggedQuarter = -1;
    move({ kind: "downloading", version: info.version, percent: 0 });
  });
  updater.on("download-progress", (progress: ProgressInfo) => {
    if (state.kind !== "downloading") return;
    move({ ...state, percent: progress.percent });
    const quarter = Math.floor(progress.percent / 25);
    if (quarter > loggedQuarter) {
      loggedQuarter = quarter;
      log.info({ version: state.version, percent: Math.round(progress.percent) }, "updater: downloading");
    }
  });
  updater.on("update-downloaded", (event: UpdateDownloadedEvent) => {
    log.info(
      { version: event.version },
      `updater: version ${event.version} downloaded; it installs when the app quits`,
    );
    move({ kind: "downloaded", version: event.version });
  });
  updater.on("error", (err: Error) => {
    log.error({ err: errorText(err) }, "updater: update failed; the dock keeps working and tries again later");
    // A download that fails after a finished one must not hide it: the downloaded file still installs on quit.
    if (state.kind !== "downloaded") move({ kind: "failed", reason: FAILED_REASON, at: now().toISOString() });
  });

  const check = async (): Promise<void> => {
    if (state.kind === "downloaded") return; // nothing newer is fetched until this one is installed
    try {
      await updater.checkForUpdates();
    } catch (err) {
      log.error({ err: errorText(err) }, "updater: the check failed; the dock keeps working and tries again later");
      if (state.kind !== "failed") move({ kind: "failed", reason: FAILED_REASON, at: now().toISOString() });
    }
  };

  const timer = setInterval(() => void check(), options.config.everyMs);
  timer.unref?.();
  log.info(
    { url: options.config.url, everyHours: options.config.everyMs / HOUR_MS },
    "updater: on; checks at start and on its period",
  );
  void check();

  const decide = (operatorAsked: boolean): UpdateDecision =>
    updateDecision({ state, operatorAsked, flashesUnderway: options.flashesUnderway() });

  return {
    status: () => ({ state, ...decide(false) }),
    restartToUpdate() {
      const decision = decide(true);
      log.info({ restartNow: decision.restartNow }, `updater: restart to update asked: ${decision.message}`);
      // A moment later, so the answer reaches the window before the app quits.
      if (decision.restartNow) setTimeout(() => updater.quitAndInstall(false, true), RESTART_DELAY_MS);
      return decision;
    },
    check,
    stop: () => clearInterval(timer),
  };
}

/** The bridge's update channels (shared/bridge/channels.ts) answered by this updater. */
export function updateHandlers(updater: DockUpdater): Pick<BridgeHandlers, "update.status" | "update.restart"> {
  return {
    "update.status": async () => {
      const s = updater.status();
      return { on: true, ready: s.state.kind === "downloaded", message: s.message };
    },
    "update.restart": async () => {
      const d = updater.restartToUpdate();
      return { restarting: d.restartNow, message: d.message };
    },
  };
}
