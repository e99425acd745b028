import { spawn, type ChildProcess } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { inspectorUrlIn, liveHeapBytes } from "./heap-probe";

const MiB = 2 ** 20;
// Keeps ~2 million small objects reachable until told "drop" on stdin.
const CHILD = `
globalThis.keep = Array.from({ length: 2e6 }, (_, i) => ({ i }));
process.stdin.on("data", () => { globalThis.keep = null; process.stdout.write("dropped\\n"); });
`;

let child: ChildProcess | null = null;
afterEach(() => {
  child?.kill("SIGKILL");
  child = null;
});

async function startChild(): Promise<{
  url: string;
  said: (word: string) => Promise<void>;
  tell: (s: string) => void;
}> {
  const c = spawn(process.execPath, ["--inspect=127.0.0.1:0", "-e", CHILD], { stdio: ["pipe", "pipe", "pipe"] });
  child = c;
  let err = "";
  let out = "";
  c.stderr?.setEncoding("utf8").on("data", (s: string) => (err += s));
  c.stdout?.setEncoding("utf8").on("data", (s: string) => (out += s));
  const url = await new Promise<string>((resolve, reject) => {
    const poll = setInterval(() => {
      const u = inspectorUrlIn(err);
      if (u) {
        clearInterval(poll);
        resolve(u);
      }
    }, 20);
    c.once("exit", (code) => {
      clearInterval(poll);
      reject(new Error(`child exited ${code}: ${err}`));
    });
  });
  return {
    url,
    tell: (s) => c.stdin?.write(s),
    said: (word) =>
      new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          if (out.includes(word)) {
            clearInterval(poll);
            resolve();
          }
        }, 20);
      }),
  };
}

describe("liveHeapBytes", () => {
  it("finds the inspector's address in what node printed", () => {
    expect(inspectorUrlIn("Debugger listening on ws://127.0.0.1:40123/5d0c-aa\nFor help, see: …")).toBe(
      "ws://127.0.0.1:40123/5d0c-aa",
    );
    expect(inspectorUrlIn("listening on http://127.0.0.1:8080")).toBeNull();
  });

  it("counts what is reachable and not what a collection frees", { timeout: 60_000 }, async () => {
    const c = await startChild();
    // The kept objects only after the child has built them (the probe may connect first: measure until they show).
    let held = 0;
    for (let i = 0; i < 100 && held < 40 * MiB; i++) held = await liveHeapBytes(c.url);
    expect(held).toBeGreaterThan(40 * MiB);
    c.tell("drop\n");
    await c.said("dropped");
    const after = await liveHeapBytes(c.url);
    // Without the forced collection the dropped objects would still be counted as heap in use.
    expect(after).toBeLessThan(held - 30 * MiB);
  });

  it("says so when nothing answers", async () => {
    await expect(liveHeapBytes("ws://127.0.0.1:9/none", 2000)).rejects.toThrow();
  });
});
