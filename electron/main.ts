import { join } from "node:path";
import { fallbackLogger } from "../host/log";
import { launchDockApp } from "./electron-shell";
import { registerAppScheme } from "./renderer-protocol";

/**
 * The Electron main process entry, bundled to dist/electron/main.js (package.json "main")
 * by `node scripts/dist.mjs --bundle-only`. The preload is bundled beside it.
 */

// Scheme privileges must be registered before the app is ready.
registerAppScheme();
launchDockApp({ preloadPath: join(__dirname, "preload.js"), env: process.env }).catch((err: unknown) => {
  fallbackLogger().fatal({ err }, `Re-Flash Dock could not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
