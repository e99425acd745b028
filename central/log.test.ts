import { Writable } from "node:stream";
import { Hono } from "hono";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { plainLines, requestLogging } from "./log";

function memoryLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString("utf8")) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: "info" }, stream), lines };
}

function app(logger: pino.Logger) {
  const a = new Hono();
  a.use("*", ...requestLogging(logger));
  a.get("/sync/pull", (c) => c.json({ ok: true }));
  a.get("/boom", () => {
    throw new Error("database gone");
  });
  a.onError((_err, c) => c.json({ error: "internal" }, 500));
  return a;
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe("central request log", () => {
  it("gives every request an id, answers it in X-Request-Id and logs one line with it, never the query", async () => {
    const { logger, lines } = memoryLogger();
    const res = await app(logger).request("/sync/pull?cursor=secret-cursor");
    const id = res.headers.get("X-Request-Id");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await settle();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      reqId: id,
      method: "GET",
      path: "/sync/pull",
      status: 200,
      msg: "GET /sync/pull 200",
    });
    expect(JSON.stringify(lines)).not.toContain("secret-cursor");
  });

  it("keeps a caller's plain request id, replaces a hostile one, and logs a 500 as an error", async () => {
    const { logger, lines } = memoryLogger();
    const a = app(logger);
    expect(
      (await a.request("/sync/pull", { headers: { "X-Request-Id": "dock-N1_push-42" } })).headers.get("X-Request-Id"),
    ).toBe("dock-N1_push-42");
    expect(
      (await a.request("/sync/pull", { headers: { "X-Request-Id": "../etc <script>" } })).headers.get("X-Request-Id"),
    ).not.toContain("<script>");
    const failed = await a.request("/boom");
    expect(failed.status).toBe(500);
    await settle();
    expect(lines.at(-1)).toMatchObject({
      level: 50,
      path: "/boom",
      status: 500,
      reqId: failed.headers.get("X-Request-Id"),
    });
  });
});

describe("central's stdout", () => {
  it("is one plain line a message, the level named only from warnings up, an error's message after it", () => {
    const out: string[] = [];
    const lines = plainLines({ write: (s: string) => out.push(s) });
    lines.write(JSON.stringify({ level: 30, msg: "central: listening on http://127.0.0.1:4010" }) + "\n");
    lines.write(JSON.stringify({ level: 50, msg: "central: unexpected error", err: { message: "disk full" } }) + "\n");
    lines.write("not json\n");
    expect(out).toEqual([
      "central: listening on http://127.0.0.1:4010\n",
      "ERROR central: unexpected error: disk full\n",
      "not json\n",
    ]);
  });
});
