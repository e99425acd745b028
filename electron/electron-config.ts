import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { loadHostConfig, type ConfigResult } from "../host/config";

/**
 * The Electron shell's configuration: the browser shell's (host/config.ts, same variables,
 * same validation), with the paths an installed app needs: the hardware journal under the
 * OS's per-user app data, the renderer inside the app, and the app's own version. An
 * installed app has no shell environment to speak of, so the same variables may also be
 * given in `<userData>/dock-config.json` (environment wins).
 */

export interface ElectronPaths {
  /** app.getPath("userData") */
  userData: string;
  /** app.getAppPath(): the repo root in development, resources/app.asar when installed */
  appPath: string;
  /** app.getVersion() */
  version: string;
}

/** Name of the optional settings file in userData. */
export const CONFIG_FILE_NAME = "dock-config.json";

const ConfigFileSchema = z.record(z.string().regex(/^[A-Z][A-Z0-9_]*$/), z.string());

/** Reads `<userData>/dock-config.json`; a missing file is no settings, a bad one a clear error. Never throws. */
export function readConfigFile(
  userData: string,
  read: (path: string) => string = (p) => readFileSync(p, "utf8"),
): { ok: true; vars: Record<string, string> } | { ok: false; error: string } {
  const path = join(userData, CONFIG_FILE_NAME);
  let text: string;
  try {
    text = read(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { ok: true, vars: {} };
    return { ok: false, error: `${path}: ${err instanceof Error ? err.message : String(err)}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: `${path} is not JSON` };
  }
  const parsed = ConfigFileSchema.safeParse(json);
  if (!parsed.success)
    return { ok: false, error: `${path}: expected an object of VARIABLE: "text" pairs (as in the environment)` };
  return { ok: true, vars: parsed.data };
}

/** The host configuration for the Electron shell; never throws. */
export function loadElectronConfig(
  env: Record<string, string | undefined>,
  fileVars: Record<string, string>,
  paths: ElectronPaths,
): ConfigResult {
  const merged: Record<string, string | undefined> = {
    DOCK_DATA_DIR: join(paths.userData, "host"),
    // An installed dock drives its USB scanners and jigs; the simulators are for the browser shell's demo.
    DOCK_HARDWARE: "auto",
    RENDERER_DIST: join(paths.appPath, "renderer", "dist"),
    ...fileVars,
  };
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value !== "") merged[key] = value;
  const loaded = loadHostConfig(merged);
  if (!loaded.ok) return loaded;
  return { ok: true, config: { ...loaded.config, version: paths.version } };
}
