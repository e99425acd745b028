import { mkdtemp, readFile, rm } from "node:fs/promises";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleElectron, MAIN_EXTERNALS, type BundleResult } from "./bundle";

/** The launch bundles: what a sandboxed preload and the main process may require at run time. */

let outDir: string;
let result: BundleResult;

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), "dock-bundle-"));
  result = await bundleElectron({ outDir });
});
afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

describe("Electron bundles", () => {
  it("the preload is one file that requires only electron (usable with sandbox: true)", async () => {
    expect(result.preloadImports).toEqual(["electron"]);
    const code = await readFile(result.preloadFile, "utf8");
    const required = new Set([...code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]));
    expect(required).toEqual(new Set(["electron"]));
    expect(code).toContain("exposeInMainWorld(DOCK_GLOBAL");
  });

  it("main requires only electron, native addons and Node built-ins; everything else is inside", () => {
    const allowed = new Set([...MAIN_EXTERNALS, ...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    expect(result.mainImports.filter((m) => !allowed.has(m))).toEqual([]);
    expect(result.mainImports).toContain("electron");
  });

  it("main is CommonJS with import.meta provided, and its folder says so", async () => {
    const code = await readFile(result.mainFile, "utf8");
    expect(code).not.toMatch(/\bimport\.meta\b/);
    expect(code).toContain("__dockImportMetaUrl");
    expect(JSON.parse(await readFile(join(outDir, "package.json"), "utf8"))).toEqual({ type: "commonjs" });
  });
});
