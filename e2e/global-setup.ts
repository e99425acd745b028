import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "vite";

/**
 * Playwright global setup (wire it in playwright.config.ts as `globalSetup: "./e2e/global-setup.ts"`):
 * builds the renderer into renderer/dist so every e2e run drives the current code, not a
 * stale build. E2E_SKIP_BUILD=1 skips it (a build made just before).
 */
export default async function globalSetup(): Promise<void> {
  const config = fileURLToPath(new URL("../renderer/vite.config.ts", import.meta.url));
  if (process.env.E2E_SKIP_BUILD === "1" || !existsSync(config)) return;
  await build({ configFile: config, logLevel: "warn" });
}
