import tseslint from "typescript-eslint";

const nodeBuiltins = ["node:*", "fs", "path", "os", "child_process", "crypto", "net", "http", "https", "stream", "url", "util", "events", "buffer", "worker_threads", "zlib"];

export default tseslint.config(
  { ignores: ["node_modules/**", "dist/**", "test-results/**", "playwright-report/**", ".data/**", "**/*.cjs"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": "off",
    },
  },
  {
    // shared/ is pure: no Node, no DOM-only modules, no Electron (ARCHITECTURE.md).
    files: ["shared/**/*.ts"],
    ignores: ["shared/**/*.test.ts"],
    rules: {
      "no-restricted-imports": ["error", {
        paths: [{ name: "electron", message: "shared/ is pure TypeScript: no Electron." }],
        patterns: [{ group: nodeBuiltins, message: "shared/ is pure TypeScript: no Node built-ins." }],
      }],
    },
  },
  {
    // The renderer reaches the host only through the bridge it is handed.
    files: ["renderer/**/*.{ts,tsx}"],
    ignores: ["renderer/**/*.test.{ts,tsx}"],
    rules: {
      "no-restricted-imports": ["error", {
        paths: [
          { name: "electron", message: "The renderer reaches the host only through the bridge (window.dock)." },
          { name: "node-hid", message: "Hardware lives in hardware/, behind the host." },
        ],
        patterns: [{ group: nodeBuiltins, message: "No Node built-ins in the renderer: use the bridge." }],
      }],
    },
  },
);
