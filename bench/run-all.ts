/**
 * `npm run bench`: runs every bench/ script one after another (never in parallel: they
 * would measure each other), collects their BENCH-RESULT lines and writes the table
 * (figure, value, target, met) with the machine to bench/RESULTS.md.
 * Run one alone with `npx tsx bench/<name>.ts`; pass names to run a subset.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { machineInfo, RESULT_PREFIX } from "./report";

const FigureSchema = z.strictObject({
  figure: z.string(),
  value: z.number(),
  unit: z.string(),
  target: z.string(),
  met: z.boolean(),
});
const here = import.meta.dirname;
const helpers = new Set(["run-all.ts", "report.ts"]);
const wanted = process.argv.slice(2);
const scripts = readdirSync(here)
  .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && !helpers.has(f) && !f.includes("-world"))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();

const rows: string[] = [];
const failures: string[] = [];
const machine = machineInfo();
for (const script of scripts) {
  console.log(`== ${script}`);
  const started = Date.now();
  const run = spawnSync(process.execPath, ["--import", "tsx", join(here, script)], {
    encoding: "utf8",
    maxBuffer: 64 * 2 ** 20,
  });
  process.stdout.write(run.stdout);
  process.stderr.write(run.stderr);
  if (run.status !== 0) failures.push(`${script} exited ${run.status}`);
  for (const line of run.stdout.split("\n")) {
    if (!line.startsWith(RESULT_PREFIX)) continue;
    const f = FigureSchema.safeParse(JSON.parse(line.slice(RESULT_PREFIX.length)));
    if (!f.success) {
      failures.push(`${script}: malformed result line`);
      continue;
    }
    const v = f.data;
    rows.push(
      `| ${script.replace(/\.ts$/, "")} | ${v.figure} | ${formatValue(v.value)} ${v.unit} | ${v.target} | ${v.met ? "yes" : "**no**"} |`,
    );
  }
  console.log(`== ${script} took ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

const md = [
  "# Benchmark results",
  "",
  `Written by \`npm run bench\` on ${new Date().toISOString()}.`,
  "",
  `Machine: ${machine.replace(/^machine: /, "")}`,
  "",
  "| bench | figure | value | target | met |",
  "|---|---|---|---|---|",
  ...rows,
  "",
  failures.length ? `Failures: ${failures.join("; ")}` : "All bench scripts ran to the end.",
  "",
].join("\n");
writeFileSync(join(here, "RESULTS.md"), md);
console.log(md);
process.exit(failures.length ? 1 : 0);

function formatValue(v: number): string {
  return Math.abs(v) >= 100 ? Math.round(v).toLocaleString("en-GB") : v.toFixed(2);
}
