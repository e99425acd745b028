import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHostLog } from "./log";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "dock-log-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const settle = () => new Promise((r) => setTimeout(r, 200));

describe("host log", () => {
  it("writes structured JSON lines with an ISO time, and redacts tokens and secrets", async () => {
    const { logger } = await createHostLog({ dir, name: "host", stdout: false });
    logger.info(
      { centralToken: "tok-123", device: { token: "abc" }, deviceId: "88-73-84-57-00-2F-00-01" },
      "jig station: 3 jigs",
    );
    logger.warn({ err: new Error("disk full") }, "scan journal: could not write");
    await settle();
    const lines = (await readFile(join(dir, "host.log"), "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({
      level: 30,
      name: "host",
      msg: "jig station: 3 jigs",
      centralToken: "[redacted]",
      device: { token: "[redacted]" },
      deviceId: "88-73-84-57-00-2F-00-01",
    });
    expect(String(lines[0]?.time)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(lines[1]).toMatchObject({ level: 40, msg: "scan journal: could not write", err: { message: "disk full" } });
    expect(JSON.stringify(lines)).not.toContain("tok-123");
  });

  it("rotates when the file reaches its size, keeping the older lines in numbered files", async () => {
    const { logger } = await createHostLog({ dir, name: "host", stdout: false, rotateAt: "2K" });
    for (let i = 0; i < 60; i++) {
      logger.info({ i }, `line ${i} ${"x".repeat(60)}`);
      if (i % 10 === 9) await settle();
    }
    await settle();
    const files = (await readdir(dir)).sort();
    expect(files).toContain("host.log");
    expect(files.filter((f) => /^host\.log\.\d+$/.test(f)).length).toBeGreaterThan(0);
    // (rotating-file-stream also keeps a history file of the rotated names beside them.)
    const logs = files.filter((f) => /^host\.log(\.\d+)?$/.test(f));
    const all = (await Promise.all(logs.map((f) => readFile(join(dir, f), "utf8")))).join("").trim().split("\n");
    expect(new Set(all.map((l) => (JSON.parse(l) as { i: number }).i)).size).toBe(60);
  });
});
