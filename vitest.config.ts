import { defineConfig } from "vitest/config";

// Unit and integration tests sit beside the code (x.test.ts). Playwright specs live in
// e2e/ and are kept out of vitest's include on purpose.
export default defineConfig({
  test: {
    include: ["{shared,renderer,desk,hardware,host,central,electron,scripts,bench}/**/*.test.{ts,tsx}"],
    exclude: ["**/node_modules/**", "**/dist/**", "e2e/**"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
