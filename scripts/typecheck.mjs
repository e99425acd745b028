// Type-check each folder with its own tsconfig: the per-folder `types` and `lib`
// are what make a Node type in shared/ or renderer/ a compile error.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";

const projects = ["shared", "renderer", "desk", "hardware", "host", "central", "electron", "scripts", "bench", "e2e"]
  .map((dir) => `${dir}/tsconfig.json`)
  .concat(["tsconfig.tests.json"])
  .filter((p) => existsSync(p));

const tsc = "node_modules/typescript/bin/tsc";
let failed = 0;
for (const project of projects) {
  const dir = project.includes("/") ? project.split("/")[0] : ".";
  const hasSources = dir === "." || readdirSync(dir, { recursive: true }).some((f) => /\.tsx?$/.test(String(f)));
  if (!hasSources) continue;
  try {
    execFileSync(process.execPath, [tsc, "-p", project], { stdio: "inherit" });
    console.log(`typecheck ok: ${project}`);
  } catch {
    failed += 1;
    console.error(`typecheck FAILED: ${project}`);
  }
}
process.exit(failed === 0 ? 0 : 1);
