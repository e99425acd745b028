import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";

import { builtinModules } from "node:module";

// Bare built-in names go in `paths` (exact match): as gitignore-style `patterns` they
// would also forbid a project file such as "./events".
const builtinPaths = (message) => builtinModules.filter((m) => !m.startsWith("_")).map((name) => ({ name, message }));

export default tseslint.config(
  { ignores: ["node_modules/**", "**/dist/**", "test-results/**", "playwright-report/**", ".data/**", "**/*.cjs"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": "off",
      // Prettier wraps code at 120; what it cannot wrap (long strings, comments) still stops at 160.
      "max-len": [
        "error",
        { code: 160, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true },
      ],
    },
  },
  {
    // shared/ is pure: no Node, no DOM-only modules, no Electron (ARCHITECTURE.md).
    files: ["shared/**/*.ts"],
    ignores: ["shared/**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "electron", message: "shared/ is pure TypeScript: no Electron." },
            ...builtinPaths("shared/ is pure TypeScript: no Node built-ins."),
          ],
          patterns: [{ group: ["node:*"], message: "shared/ is pure TypeScript: no Node built-ins." }],
        },
      ],
    },
  },
  {
    // The renderer reaches the host only through the bridge it is handed.
    files: ["renderer/**/*.{ts,tsx}"],
    ignores: ["renderer/**/*.test.{ts,tsx}"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "electron", message: "The renderer reaches the host only through the bridge (window.dock)." },
            { name: "node-hid", message: "Hardware lives in hardware/, behind the host." },
            ...builtinPaths("No Node built-ins in the renderer: use the bridge."),
          ],
          patterns: [{ group: ["node:*"], message: "No Node built-ins in the renderer: use the bridge." }],
        },
      ],
    },
  },
  {
    // The rules of hooks and the React Compiler's checks (purity, refs, effects) on the renderer.
    files: ["renderer/**/*.{ts,tsx}"],
    ...reactHooks.configs.flat["recommended-latest"],
  },
  {
    // The desk web app (served by central) talks to central over HTTP only: no Node, no Electron.
    files: ["desk/**/*.{ts,tsx}"],
    ignores: ["desk/**/*.test.{ts,tsx}", "desk/vite.config.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "electron", message: "The desk is a web page served by central: no Electron." },
            ...builtinPaths("No Node built-ins in the desk: it runs in a browser."),
          ],
          patterns: [
            { group: ["node:*"], message: "No Node built-ins in the desk: it runs in a browser." },
            {
              group: ["**/central/*", "**/renderer/*", "**/host/*", "**/hardware/*", "**/electron/*"],
              message: "The desk imports only shared/ and its own code; it reaches central over HTTP.",
            },
          ],
        },
      ],
    },
  },
  {
    // Raw ipcMain/ipcRenderer only inside the one typed wrapper (GitHub Desktop's rule).
    files: ["electron/**/*.ts"],
    ignores: ["electron/typed-ipc.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            {
              name: "electron",
              importNames: ["ipcMain", "ipcRenderer"],
              message: "Use the typed IPC wrapper electron/typed-ipc.ts (serveBridgeOverIpc / createIpcDockBridge).",
            },
          ],
        },
      ],
    },
  },
);
