import { defineConfig } from "@playwright/test";

// Debian's Chromium, never a downloaded browser (no internet but the registries).
const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

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
      executablePath,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
});
