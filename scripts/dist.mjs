// `npm run dist`: builds the dock's installers with electron-builder (build/electron-builder.json):
// Linux AppImage + deb on Linux, Windows NSIS on Windows. Steps: build the renderer, type-check
// and bundle the Electron shell into dist/electron, then package. Packaging needs an Electron
// binary for the target platform; where there is none (this project's build machines install
// with ELECTRON_SKIP_BINARY_DOWNLOAD=1) it stops before packaging, says what is missing, and
// exits non-zero.
//
//   node scripts/dist.mjs                 installers for this platform
//   node scripts/dist.mjs --bundle-only   just dist/electron (what `npm start` launches)
//   node scripts/dist.mjs --linux | --win choose the target platform
//   DOCK_ELECTRON_DIST=/path/to/unpacked/electron   use that Electron instead of node_modules/electron/dist
//   DOCK_UPDATE_URL=https://updates.example/dock    the update server written into the installers' app-update.yml
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = new Set(process.argv.slice(2));
const known = new Set(["--bundle-only", "--linux", "--win", "--skip-renderer"]);
for (const arg of args) {
  if (!known.has(arg)) {
    console.error(`dist: unknown option ${arg} (known: ${[...known].join(" ")})`);
    process.exit(2);
  }
}

function run(what, command, commandArgs) {
  console.log(`== ${what}`);
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: "inherit", shell: process.platform === "win32" });
  if (result.status !== 0) {
    console.error(`dist: ${what} failed (${command} ${commandArgs.join(" ")})`);
    process.exit(result.status ?? 1);
  }
}

const platform = args.has("--win") ? "win32" : args.has("--linux") ? "linux" : process.platform;
if (platform !== "linux" && platform !== "win32") {
  console.error(`dist: installers are configured for Linux and Windows only, not ${platform}`);
  process.exit(2);
}

const bundleOnly = args.has("--bundle-only");
const electronVersion = JSON.parse(readFileSync(join(root, "node_modules/electron/package.json"), "utf8")).version;
const electronDist = process.env.DOCK_ELECTRON_DIST
  ? resolve(process.env.DOCK_ELECTRON_DIST)
  : join(root, "node_modules/electron/dist");
const binary = join(electronDist, platform === "win32" ? "electron.exe" : "electron");
// Checked first: without a binary there is nothing to package, so say so before building anything.
if (!bundleOnly && !existsSync(binary)) {
  console.error(
    [
      "",
      `dist: cannot package: no Electron ${electronVersion} binary for ${platform} at ${binary}.`,
      "  The electron package was installed without its binary (ELECTRON_SKIP_BINARY_DOWNLOAD=1), and",
      "  electron-builder is configured not to download one (build/electron-builder.json: electronDist).",
      "  To build installers, on a machine that may download it:",
      "    node node_modules/electron/install.js          (fetches the binary for this platform)",
      `  or unpack electron-v${electronVersion}-${platform}-x64.zip somewhere and set DOCK_ELECTRON_DIST to that folder.`,
      "  electron-builder also fetches its packaging tools (AppImage runtime, fpm, NSIS) on first use.",
      "  Windows installers are best built on Windows (resource editing needs wine elsewhere).",
      "  Nothing was built or packaged (`node scripts/dist.mjs --bundle-only` builds dist/electron alone).",
      "",
    ].join("\n"),
  );
  process.exit(1);
}

if (!bundleOnly && !args.has("--skip-renderer")) {
  run("building the renderer", "npx", ["vite", "build", "--config", "renderer/vite.config.ts", "--logLevel", "warn"]);
}
run("type-checking the Electron shell", "npx", ["tsc", "-p", "electron/tsconfig.build.json"]);

console.log("== bundling the Electron shell into dist/electron");
register(); // lets this plain .mjs import the TypeScript bundler
const { bundleElectron } = await import("../electron/bundle.ts");
const bundle = await bundleElectron({ minify: !bundleOnly });
if (bundle.preloadImports.some((m) => m !== "electron")) {
  console.error(
    `dist: the preload requires ${bundle.preloadImports.join(", ")}; a sandboxed preload may require only "electron"`,
  );
  process.exit(1);
}
console.log(`   ${bundle.mainFile}\n   ${bundle.preloadFile}`);
if (bundleOnly) process.exit(0);

if (!existsSync(join(root, "renderer/dist/index.html"))) {
  console.error("dist: renderer/dist/index.html is missing: the renderer build produced nothing to package");
  process.exit(1);
}

// The update server electron-builder writes into resources/app-update.yml (publish[0].url): DOCK_UPDATE_URL
// at build time, checked by the same rule as at run time (electron/updater.ts); unset keeps the configured one.
let builderConfig = "build/electron-builder.json";
const { loadUpdateConfig } = await import("../electron/updater.ts");
const updates = loadUpdateConfig({ DOCK_UPDATE_URL: process.env.DOCK_UPDATE_URL });
if (!updates.ok) {
  console.error(`dist: ${updates.error}`);
  process.exit(2);
}
if (updates.config !== null) {
  const config = JSON.parse(readFileSync(join(root, builderConfig), "utf8"));
  config.publish = config.publish.map((p, i) => (i === 0 ? { ...p, url: updates.config.url } : p));
  mkdirSync(join(root, "dist"), { recursive: true });
  builderConfig = "dist/electron-builder.generated.json";
  writeFileSync(join(root, builderConfig), JSON.stringify(config, null, 2));
  console.log(`   update server: ${updates.config.url}`);
}

const targets = platform === "win32" ? ["--win", "nsis"] : ["--linux", "AppImage", "deb"];
run(`packaging ${targets.slice(1).join(" + ")} with electron-builder`, "npx", [
  "electron-builder",
  "--config",
  builderConfig,
  ...targets,
  "--x64",
  "--publish",
  "never",
  `-c.electronDist=${electronDist}`,
  `-c.electronVersion=${electronVersion}`,
]);
console.log("dist: installers are in dist/installers");
