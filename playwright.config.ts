import { defineConfig } from "@playwright/test";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./e2e/chromium";

export default defineConfig({
  testDir: "e2e",
  testMatch: "**/*.spec.ts",
  // Rebuilds the renderer once per run (E2E_SKIP_BUILD=1 skips it).
  globalSetup: "./e2e/global-setup.ts",
  timeout: 120_000,
  workers: 1,
  reporter: [["list"]],
  use: {
    headless: true,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
    },
  },
});
