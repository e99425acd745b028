/**
 * `npm run bench`: runs every bench/ script one after another (never in parallel: they
 * would measure each other), collects their BENCH-PAIR lines (issue 22: a figure beside what
 * it is compared with, measured in the same run) into one table, and their BENCH-RESULT lines
 * (single figures with absolute targets) into a second, and writes both with the machine
 * (cores, CPU, load average at the start and at the end) to bench/RESULTS.md.
 * Run one alone with `npx tsx bench/<name>.ts`; pass names to run a subset.
 * PostgreSQL rows need BENCH_DATABASE_URL or TEST_DATABASE_URL (scripts/pg-test-server.sh).
 */
import { spawnSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import os from "node:os";
import { loadAverage, machineInfo, PAIR_PREFIX, RESULT_PREFIX } from "./report";

const FigureSchema = z.strictObject({
  figure: z.string(),
  value: z.number(),
  unit: z.string(),
  target: z.string(),
  met: z.boolean(),
});
const PairSchema = z.strictObject({
  figure: z.string(),
  ours: z.string(),
  compared: z.string(),
  ratio: z.string(),
  target: z.string(),
  met: z.boolean(),
});
const here = import.meta.dirname;
const helpers = new Set(["run-all.ts", "report.ts", "jig-link-frames.ts"]);
const wanted = process.argv.slice(2);
const scripts = readdirSync(here)
  .filter(
    (f) =>
      f.endsWith(".ts") &&
      !f.endsWith(".test.ts") &&
      !helpers.has(f) &&
      !f.includes("-world") &&
      !f.endsWith("-child.ts"),
  )
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();

const rows: string[] = [];
const pairs: string[] = [];
const failures: string[] = [];
const machine = machineInfo();
const loadAtStart = loadAverage();
const cell = (t: string) => t.replaceAll("|", "\\|");
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
    if (line.startsWith(PAIR_PREFIX)) {
      const p = PairSchema.safeParse(JSON.parse(line.slice(PAIR_PREFIX.length)));
      if (!p.success) failures.push(`${script}: malformed pair line`);
      else
        pairs.push(
          `| ${cell(p.data.figure)} (${script.replace(/\.ts$/, "")}) | ${cell(p.data.ours)} | ${cell(p.data.compared)} | ${cell(p.data.ratio)} | ${cell(p.data.target)} | ${p.data.met ? "yes" : "**no**"} |`,
        );
      continue;
    }
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
  `Written by \`npm run bench\` on ${new Date().toISOString()}${wanted.length ? ` (only ${wanted.join(", ")})` : ""}.`,
  "",
  `Machine: ${machine.replace(/^machine: /, "").replace(/, load average .*$/, "")}; nproc ${os.availableParallelism()}; load average (1, 5, 15 min) ${loadAtStart} at the start, ${loadAverage()} at the end. The machine is shared with other work: wall times move from run to run, so each figure is set beside what it is compared with, measured in the same run.`,
  "",
  "| figure | ours | compared with (same run) | ratio | target | met? |",
  "|---|---|---|---|---|---|",
  ...pairs,
  "",
  "## Single figures",
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
