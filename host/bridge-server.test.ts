import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { bridgeErrorCode } from "../shared/bridge/channels";
import { createBridgeClient, type BridgeClient } from "../shared/bridge/client";
import { bridgeContractChecks, type BridgeUnderTest } from "../shared/bridge/contract";
import { BRIDGE_CLOSE, encodeFrame, parseHostFrame, type HostFrame } from "../shared/bridge/protocol";
import { BRIDGE_PATH } from "./bridge-server";
import { startBrowserShell, type BrowserShell } from "./browser-shell";
import { loadHostConfig, type HostConfig } from "./config";
import { SECRET_META_NAME } from "./renderer-server";

let dist: string;

beforeAll(async () => {
  dist = await mkdtemp(join(tmpdir(), "dock-host-test-"));
  await writeFile(
    join(dist, "index.html"),
    "<!doctype html><html><head><title>dock</title></head><body></body></html>",
  );
  await writeFile(join(dist, "app.js"), "console.log('renderer')");
});
afterAll(async () => {
  await rm(dist, { recursive: true, force: true });
});

function testConfig(port = 0): HostConfig {
  const loaded = loadHostConfig({
    HOST_PORT: String(port),
    RENDERER_DIST: dist,
    DOCK_ID: "dock-test",
    SITE_CSP: "CentralSouth",
  });
  if (!loaded.ok) throw new Error(loaded.error);
  return loaded.config;
}

function startShell(port = 0, helloTimeoutMs?: number): Promise<BrowserShell> {
  return startBrowserShell({
    config: testConfig(port),
    dataDir: null,
    ...(helloTimeoutMs === undefined ? {} : { helloTimeoutMs }),
  });
}

/** The shared client over the `ws` package, presenting the page's Origin as Chromium would. */
function nodeClient(
  url: string,
  origin: string,
  cookie: () => string,
  secret: () => string,
  backoff = { initialMs: 20, maxMs: 200 },
): BridgeClient {
  return createBridgeClient({
    secret,
    backoff,
    timers: { set: (fn, ms) => setTimeout(fn, ms), clear: (h) => clearTimeout(h as NodeJS.Timeout) },
    openSocket(events) {
      const ws = new WebSocket(url, { origin, headers: { Cookie: cookie() } });
      ws.on("open", () => events.open());
      ws.on("message", (data) => events.message(String(data)));
      ws.on("close", (code, reason) => events.close(code, reason.toString()));
      ws.on("error", () => undefined); // a close event follows every error
      return { send: (t) => ws.send(t), close: (c, r) => ws.close(c, r) };
    },
  });
}

const wsUrl = (shell: BrowserShell) => `ws://127.0.0.1:${shell.port}${BRIDGE_PATH}`;

describe("bridge contract: browser shell over WebSocket", () => {
  const factory = async (): Promise<BridgeUnderTest> => {
    const shell = await startShell();
    const client = nodeClient(
      wsUrl(shell),
      shell.origin,
      () => shell.cookie,
      () => shell.secret,
    );
    await client.ready();
    return {
      bridge: client,
      seedJournal: async (kind, payload) => {
        await shell.services.journal.append(kind, payload);
      },
      close: async () => {
        client.close();
        await shell.close();
      },
    };
  };
  for (const check of bridgeContractChecks) {
    it(check.name, async () => {
      const subject = await factory();
      try {
        await check.run(subject);
      } finally {
        await subject.close();
      }
    });
  }
});

/** Opens a raw socket and reports how the upgrade or the socket ended. */
function rawSocket(
  url: string,
  options: WebSocket.ClientOptions,
): Promise<
  | { ws: WebSocket; frames: HostFrame[]; closed: Promise<{ code: number; reason: string }> }
  | { status: number; reason: string }
> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, options);
    const frames: HostFrame[] = [];
    const closed = new Promise<{ code: number; reason: string }>((r) =>
      ws.on("close", (code, reason) => r({ code, reason: reason.toString() })),
    );
    ws.on("message", (data) => {
      const parsed = parseHostFrame(String(data));
      if (parsed.ok) frames.push(parsed.frame);
    });
    ws.on("unexpected-response", (_req, res) =>
      resolve({ status: res.statusCode ?? 0, reason: String(res.headers["x-dock-bridge-refused"] ?? "") }),
    );
    ws.on("error", () => undefined);
    ws.on("open", () => resolve({ ws, frames, closed }));
  });
}

async function nextFrame(frames: HostFrame[], count: number, ws: WebSocket): Promise<HostFrame> {
  while (frames.length < count) await new Promise((r) => ws.once("message", r));
  return frames[count - 1] as HostFrame;
}

describe("browser shell security", () => {
  let shell: BrowserShell;
  beforeAll(async () => {
    shell = await startShell(0, 200);
  });
  afterAll(async () => {
    await shell.close();
  });

  it("refuses a foreign Origin before the socket opens, with the reason", async () => {
    const result = await rawSocket(wsUrl(shell), { origin: "http://evil.example", headers: { Cookie: shell.cookie } });
    expect(result).toEqual({ status: 403, reason: "origin http://evil.example is not this shell's origin" });
  });

  it("refuses a connection with no Origin", async () => {
    const result = await rawSocket(wsUrl(shell), { headers: { Cookie: shell.cookie } });
    expect(result).toMatchObject({ status: 403 });
  });

  it("refuses another local process: no launch cookie, no socket and no page with the secret", async () => {
    const result = await rawSocket(wsUrl(shell), { origin: shell.origin });
    expect(result).toEqual({
      status: 403,
      reason: "this page was not opened through this launch's URL; open the URL the host printed",
    });
    const forged = await rawSocket(wsUrl(shell), {
      origin: shell.origin,
      headers: { Cookie: `${shell.cookie.split("=")[0]}=${"0".repeat(64)}` },
    });
    expect(forged).toMatchObject({ status: 403 });
    const page = await fetch(`${shell.origin}/`);
    expect(page.status).toBe(401);
    expect(await page.text()).not.toContain(shell.secret);
  });

  it("trades the printed URL's token, once, for a fresh session cookie and drops it from the address; a reload keeps the session", async () => {
    const stale = await fetch(`${shell.origin}/?launch=${"1".repeat(64)}`, { redirect: "manual" });
    expect(stale.status).toBe(403);
    expect(stale.headers.get("set-cookie")).toBeNull();
    const withParams = await fetch(`${shell.url}&central=http%3A%2F%2F127.0.0.1%3A4999&token=abc`, {
      redirect: "manual",
    });
    expect(withParams.status).toBe(303);
    expect(withParams.headers.get("location")).toBe("/?central=http%3A%2F%2F127.0.0.1%3A4999&token=abc");
    const setCookie = withParams.headers.get("set-cookie") ?? "";
    const name = shell.cookie.split("=")[0];
    expect(setCookie).toMatch(new RegExp(`^${name}=[0-9a-f]{64}; Path=/; HttpOnly; SameSite=Strict$`));
    const session = setCookie.split(";")[0] ?? "";
    // The session is new: neither the launch token nor the in-process one.
    expect(session).not.toBe(`${name}=${new URL(shell.url).searchParams.get("launch")}`);
    expect(session).not.toBe(shell.cookie);
    // The URL works once: seen again without the session (a process list, a shell's history), it opens nothing.
    const again = await fetch(shell.url, { redirect: "manual" });
    expect(again.status).toBe(403);
    expect(await again.text()).toMatch(/already used/);
    expect(again.headers.get("set-cookie")).toBeNull();
    // The browser that used it goes on by its cookie: the URL again, or a reload of the page.
    const back = await fetch(shell.url, { redirect: "manual", headers: { Cookie: session } });
    expect(back.status).toBe(303);
    expect(back.headers.get("set-cookie")).toBeNull();
    const reload = await fetch(`${shell.origin}/`, { headers: { Cookie: session } });
    expect(reload.status).toBe(200);
    expect(await reload.text()).toContain(shell.secret);
    const socket = await rawSocket(wsUrl(shell), { origin: shell.origin, headers: { Cookie: session } });
    expect("ws" in socket, "the session opens the bridge").toBe(true);
    if ("ws" in socket) socket.ws.close();
  });

  it("refuses a DNS-rebound Host on the socket and on the page", async () => {
    const result = await rawSocket(wsUrl(shell), {
      origin: shell.origin,
      headers: { Host: `attacker.example:${shell.port}`, Cookie: shell.cookie },
    });
    expect(result).toMatchObject({ status: 403 });
    // fetch() may not set Host, so ask with node:http as a rebound page's browser would.
    const page = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        { host: "127.0.0.1", port: shell.port, path: "/", headers: { Host: `attacker.example:${shell.port}` } },
        (res) => {
          let body = "";
          res.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(page.status).toBe(403);
    expect(page.body).not.toContain(shell.secret);
  });

  it("closes with 4401 and a reason on a wrong secret, and runs nothing", async () => {
    const heard: unknown[] = [];
    const off = shell.services.subscribe((e, p) => heard.push([e, p]));
    const result = await rawSocket(wsUrl(shell), { origin: shell.origin, headers: { Cookie: shell.cookie } });
    if (!("ws" in result)) throw new Error(`upgrade refused: ${result.reason}`);
    result.ws.send(encodeFrame({ type: "hello", protocol: 1, secret: "0".repeat(64) }));
    result.ws.send(encodeFrame({ type: "request", id: 1, channel: "scanner.simulate", args: { raw: "X" } }));
    expect(await result.closed).toEqual({ code: BRIDGE_CLOSE.badSecret, reason: "wrong bridge secret" });
    expect(result.frames).toEqual([]);
    off();
    expect(heard).toEqual([]);
  });

  it("closes with 4400 when the first frame is a request, not a hello", async () => {
    const result = await rawSocket(wsUrl(shell), { origin: shell.origin, headers: { Cookie: shell.cookie } });
    if (!("ws" in result)) throw new Error(`upgrade refused: ${result.reason}`);
    result.ws.send(encodeFrame({ type: "request", id: 1, channel: "host.info", args: {} }));
    expect(await result.closed).toEqual({
      code: BRIDGE_CLOSE.expectedHello,
      reason: "the first frame must be a hello",
    });
    expect(result.frames).toEqual([]);
  });

  it("closes with 4408 when no hello arrives", async () => {
    const result = await rawSocket(wsUrl(shell), { origin: shell.origin, headers: { Cookie: shell.cookie } });
    if (!("ws" in result)) throw new Error(`upgrade refused: ${result.reason}`);
    expect((await result.closed).code).toBe(BRIDGE_CLOSE.helloTimeout);
  });

  it("answers malformed frames after the hello with errors, and keeps serving", async () => {
    const result = await rawSocket(wsUrl(shell), { origin: shell.origin, headers: { Cookie: shell.cookie } });
    if (!("ws" in result)) throw new Error(`upgrade refused: ${result.reason}`);
    const { ws, frames } = result;
    ws.send(encodeFrame({ type: "hello", protocol: 1, secret: shell.secret }));
    expect(await nextFrame(frames, 1, ws)).toEqual({ type: "welcome", protocol: 1 });
    ws.send("not json");
    expect(await nextFrame(frames, 2, ws)).toMatchObject({
      type: "error",
      error: { code: "bad-request", message: "bad-request: frame is not JSON" },
    });
    ws.send(JSON.stringify({ type: "request", id: 7, channel: 12, args: {} }));
    expect(await nextFrame(frames, 3, ws)).toMatchObject({
      type: "response",
      id: 7,
      ok: false,
      error: { code: "bad-request" },
    });
    ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await nextFrame(frames, 4, ws)).toMatchObject({ type: "error", error: { code: "bad-request" } });
    ws.send(encodeFrame({ type: "request", id: 8, channel: "journal.ack", args: { ids: [] } }));
    expect(await nextFrame(frames, 5, ws)).toMatchObject({
      type: "response",
      id: 8,
      ok: false,
      error: { code: "bad-request" },
    });
    ws.send(encodeFrame({ type: "request", id: 9, channel: "host.info", args: {} }));
    expect(await nextFrame(frames, 6, ws)).toMatchObject({
      type: "response",
      id: 9,
      ok: true,
      result: { shell: "browser", dockId: "dock-test", site: { csp: "CentralSouth" } },
    });
    ws.close();
  });

  it("serves index.html with the secret injected and never cached, other files as they are", async () => {
    const page = await fetch(`${shell.origin}/`, { headers: { Cookie: shell.cookie } });
    expect(page.status).toBe(200);
    expect(page.headers.get("cache-control")).toBe("no-store");
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    expect(page.headers.get("cross-origin-opener-policy")).toBe("same-origin");
    expect(page.headers.get("cross-origin-embedder-policy")).toBe("require-corp");
    const html = await page.text();
    expect(html).toContain(`<meta name="${SECRET_META_NAME}" content="${shell.secret}">`);
    const script = await fetch(`${shell.origin}/app.js`);
    expect(await script.text()).toBe("console.log('renderer')");
    expect((await fetch(`${shell.origin}/../package.json`)).status).toBe(404);
  });
});

describe("browser shell lifecycle", () => {
  it("says how to build the renderer when it is missing", async () => {
    const loaded = loadHostConfig({ HOST_PORT: "0", RENDERER_DIST: join(dist, "missing") });
    if (!loaded.ok) throw new Error(loaded.error);
    const shell = await startBrowserShell({ config: loaded.config, dataDir: null });
    try {
      const page = await fetch(`${shell.origin}/`, { headers: { Cookie: shell.cookie } });
      expect(page.status).toBe(503);
      expect(await page.text()).toContain("vite build --config renderer/vite.config.ts");
    } finally {
      await shell.close();
    }
  });

  it("reconnects after a host restart, reading the new secret, and sends what waited", async () => {
    let shell = await startShell();
    const port = shell.port;
    const secrets: Array<string | null> = [];
    let current = shell;
    const client = nodeClient(
      wsUrl(shell),
      shell.origin,
      () => current.cookie,
      () => {
        secrets.push(current.secret);
        return current.secret;
      },
    );
    try {
      await client.ready();
      await shell.close();
      const waiting = client.invoke("host.info", {});
      shell = await startShell(port);
      current = shell;
      const info = await waiting;
      expect(info.dockId).toBe("dock-test");
      expect(new Set(secrets).size).toBe(2);
    } finally {
      client.close();
      await shell.close();
    }
  });

  it("rejects a request in flight when the host goes away with 'disconnected'", async () => {
    const shell = await startShell();
    const client = nodeClient(
      wsUrl(shell),
      shell.origin,
      () => shell.cookie,
      () => shell.secret,
    );
    await client.ready();
    // The handler never answers, so the request is surely in flight when the socket drops.
    shell.services.handlers["host.info"] = () => new Promise(() => undefined);
    const inFlight = client.invoke("host.info", {});
    const settled = inFlight.catch((err: unknown) => bridgeErrorCode(err));
    await shell.close();
    expect(await settled).toBe("disconnected");
    client.close();
  });
});
