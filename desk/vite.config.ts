import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The desk is served by central under /desk/ (central/desk/routes.ts) from desk/dist. The root
// is this folder whatever the working directory (no node:path: desk/ holds no Node imports).
const root = decodeURIComponent(new URL(".", import.meta.url).pathname);

export default defineConfig({
  root,
  base: "/desk/",
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: true },
  server: { host: "127.0.0.1", proxy: { "/desk/api": "http://127.0.0.1:4010" } },
});
