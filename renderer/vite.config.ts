import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The renderer is served by the browser shell (host/) from renderer/dist, and loaded from
// file:// by Electron, so every asset path is relative (base "./"). The root is this
// folder whatever the working directory (no node:path: renderer/ holds no Node imports).
const root = decodeURIComponent(new URL(".", import.meta.url).pathname);

export default defineConfig({
  root,
  base: "./",
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: true },
  server: { host: "127.0.0.1" },
});
