import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "vite";

/**
 * Playwright global setup (wire it in playwright.config.ts as `globalSetup: "./e2e/global-setup.ts"`):
 * builds the renderer into renderer/dist and the desk into desk/dist so every e2e run drives the current code, not a
 * stale build. E2E_SKIP_BUILD=1 skips it (a build made just before).
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.E2E_SKIP_BUILD === "1") return;
  // The renderer (served by the host) and the desk (served by central).
  for (const app of ["renderer", "desk"]) {
    const config = fileURLToPath(new URL(`../${app}/vite.config.ts`, import.meta.url));
    if (existsSync(config)) await build({ configFile: config, logLevel: "warn" });
  }
}
