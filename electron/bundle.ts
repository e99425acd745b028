import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type BuildOptions, type Metafile } from "esbuild";

/**
 * Bundles the Electron shell for a real launch: dist/electron/main.js (the main process,
 * CommonJS, package.json "main") and dist/electron/preload.js (one self-contained file:
 * a sandboxed preload may require only "electron" and a few polyfilled modules, so zod
 * and shared/ must be inside it). tsc cannot do this (it emits one file per module and
 * keeps the extensionless imports), esbuild can, and is already installed (tsx uses it).
 */

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Electron 41 ships Chromium 146 and Node 24. */
const CHROME_TARGET = "chrome146";
const NODE_TARGET = "node24";

/** Modules the main bundle leaves to require() at run time: Electron itself and native addons (they load a .node file beside them). */
export const MAIN_EXTERNALS = ["electron", "node-hid"];

/** The only module a sandboxed preload may require that ours needs. */
export const PRELOAD_EXTERNALS = ["electron"];

export interface BundleResult {
  outDir: string;
  mainFile: string;
  preloadFile: string;
  /** Every module each bundle still requires at run time (for the sandbox check). */
  mainImports: string[];
  preloadImports: string[];
}

function runtimeImports(metafile: Metafile | undefined): string[] {
  if (metafile === undefined) throw new Error("esbuild returned no metafile");
  const found = new Set<string>();
  for (const output of Object.values(metafile.outputs))
    for (const imported of output.imports) if (imported.external) found.add(imported.path);
  return [...found].sort();
}

/** Bundles main and preload into `outDir` (default dist/electron). */
export async function bundleElectron(options: { outDir?: string; minify?: boolean } = {}): Promise<BundleResult> {
  const outDir = resolve(options.outDir ?? join(repoRoot, "dist/electron"));
  await mkdir(outDir, { recursive: true });
  // package.json says "type": "module"; these bundles are CommonJS, so say so for their folder.
  await writeFile(join(outDir, "package.json"), `${JSON.stringify({ type: "commonjs" }, null, 2)}\n`);
  const common: BuildOptions = {
    bundle: true,
    format: "cjs",
    sourcemap: "linked",
    minify: options.minify ?? false,
    logLevel: "warning",
    metafile: true,
    absWorkingDir: repoRoot,
    legalComments: "none",
  };
  const main = await build({
    ...common,
    entryPoints: [join(repoRoot, "electron/main.ts")],
    outfile: join(outDir, "main.js"),
    platform: "node",
    target: NODE_TARGET,
    external: MAIN_EXTERNALS,
    // host/config.ts finds the repo through import.meta.url; CommonJS has no import.meta, so provide it.
    define: { "import.meta.url": "__dockImportMetaUrl" },
    banner: { js: 'var __dockImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  });
  const preload = await build({
    ...common,
    entryPoints: [join(repoRoot, "electron/preload.ts")],
    outfile: join(outDir, "preload.js"),
    // The sandboxed preload is a browser-like context with `require("electron")`, not Node.
    platform: "browser",
    target: CHROME_TARGET,
    external: PRELOAD_EXTERNALS,
  });
  return {
    outDir,
    mainFile: join(outDir, "main.js"),
    preloadFile: join(outDir, "preload.js"),
    mainImports: runtimeImports(main.metafile),
    preloadImports: runtimeImports(preload.metafile),
  };
}
