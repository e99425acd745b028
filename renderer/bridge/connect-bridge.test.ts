import { describe, expect, it } from "vitest";
import { BRIDGE_CLOSE, encodeFrame, parseClientFrame, type ClientFrame } from "../../shared/bridge/protocol";
import { connectBridge, secretFromHtml, type BrowserEnvironment, type BrowserSocketLike } from "./connect-bridge";

const SECRET_A = "a".repeat(64);
const SECRET_B = "b".repeat(64);

/** A scripted stand-in for the page's WebSocket: records frames, lets the test play the host. */
class FakeSocket implements BrowserSocketLike {
  static opened: FakeSocket[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  readonly sent: ClientFrame[] = [];
  constructor(readonly url: string) {
    FakeSocket.opened.push(this);
  }
  send(text: string): void {
    const parsed = parseClientFrame(text);
    if (!parsed.ok) throw new Error(`client sent a malformed frame: ${text}`);
    this.sent.push(parsed.frame);
  }
  close(): void {}
  hostSays(frame: Parameters<typeof encodeFrame>[0]): void {
    this.onmessage?.({ data: encodeFrame(frame) });
  }
}

function fakeEnvironment(
  metaSecret: string | null,
  freshPage = "",
): { env: BrowserEnvironment; timers: Array<() => void>; fetched: string[] } {
  const timers: Array<() => void> = [];
  const fetched: string[] = [];
  FakeSocket.opened = [];
  const env: BrowserEnvironment = {
    location: { protocol: "http:", host: "127.0.0.1:4020", href: "http://127.0.0.1:4020/index.html" },
    document: {
      querySelector: (sel) =>
        metaSecret !== null && sel === 'meta[name="dock-bridge-secret"]' ? { getAttribute: () => metaSecret } : null,
    },
    WebSocket: FakeSocket,
    fetch: async (url) => {
      fetched.push(url);
      return { ok: true, text: async () => freshPage };
    },
    setTimeout: (fn) => timers.push(fn),
    clearTimeout: () => undefined,
  };
  return { env, timers, fetched };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await Promise.resolve();
}

describe("connectBridge", () => {
  it("refuses to start on a page without the secret, saying what to open", async () => {
    const { env } = fakeEnvironment(null);
    await expect(connectBridge({ environment: env })).rejects.toThrow(/open the URL the dock host printed/);
  });

  it("dials the page's own host and sends the secret as the first frame", async () => {
    const { env } = fakeEnvironment(SECRET_A);
    const connecting = connectBridge({ environment: env });
    await settle();
    const socket = FakeSocket.opened[0];
    if (socket === undefined) throw new Error("no socket opened");
    expect(socket.url).toBe("ws://127.0.0.1:4020/bridge");
    socket.onopen?.();
    expect(socket.sent).toEqual([{ type: "hello", protocol: 1, secret: SECRET_A }]);
    socket.hostSays({ type: "welcome", protocol: 1 });
    const bridge = await connecting;
    const info = bridge.invoke("journal.pending", {});
    expect(socket.sent[1]).toMatchObject({ type: "request", channel: "journal.pending" });
    socket.hostSays({ type: "response", id: 1, ok: true, result: { entries: [], total: 0 } });
    expect(await info).toEqual({ entries: [], total: 0 });
    bridge.close();
  });

  it("after a wrong-secret close, re-reads the secret from a fresh copy of its page and retries", async () => {
    const { env, timers, fetched } = fakeEnvironment(
      SECRET_A,
      `<head><meta name="dock-bridge-secret" content="${SECRET_B}"></head>`,
    );
    const connecting = connectBridge({ environment: env });
    await settle();
    const first = FakeSocket.opened[0];
    if (first === undefined) throw new Error("no socket opened");
    first.onopen?.();
    first.onclose?.({ code: BRIDGE_CLOSE.badSecret, reason: "wrong bridge secret" });
    expect(timers).toHaveLength(1);
    timers[0]?.();
    await settle();
    expect(fetched).toEqual(["http://127.0.0.1:4020/"]);
    const second = FakeSocket.opened[1];
    if (second === undefined) throw new Error("no reconnect");
    second.onopen?.();
    expect(second.sent[0]).toEqual({ type: "hello", protocol: 1, secret: SECRET_B });
    second.hostSays({ type: "welcome", protocol: 1 });
    (await connecting).close();
  });
});

describe("secretFromHtml", () => {
  it("finds a well-formed secret and ignores anything else", () => {
    expect(secretFromHtml(`<meta name="dock-bridge-secret" content="${SECRET_B}">`)).toBe(SECRET_B);
    expect(secretFromHtml(`<meta name="dock-bridge-secret" content="short">`)).toBeNull();
    expect(secretFromHtml("<html></html>")).toBeNull();
  });
});
