import { defineConfig } from "@playwright/test";

// Debian's Chromium, never a downloaded browser (no internet but the registries).
const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export default defineConfig({
  testDir: "e2e",
  testMatch: "**/*.spec.ts",
  timeout: 120_000,
  workers: 1,
  reporter: [["list"]],
  use: {
    headless: true,
    launchOptions: {
      executablePath,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    },
  },
});
