import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BRIDGE_CHANNELS,
  BRIDGE_EVENTS,
  BridgeError,
  bridgeErrorCode,
  bridgeErrorFromBody,
  bridgeEvents,
  bridgeRequests,
  isBridgeChannel,
  type BridgeHandlers,
} from "./channels";
import { createBridgeClient, reconnectDelay, type BridgeSocketEvents } from "./client";
import { createBridgeDispatcher, parseBridgeEvent } from "./dispatch";
import { encodeFrame, parseClientFrame, parseHostFrame, type ClientFrame } from "./protocol";

const info = {
  shell: "browser",
  version: "0.1.0",
  protocol: 1,
  simulated: true,
  dockId: "dock-1",
  site: { facilityId: "FAC-1", name: "Dock one", csp: "North", production: false },
  centralUrl: "http://127.0.0.1:4010",
  centralToken: null,
  startedAt: "2026-11-26T09:00:00.000Z",
} as const;

function handlers(overrides: Partial<BridgeHandlers> = {}): BridgeHandlers {
  return {
    "host.info": async () => info,
    "journal.pending": async () => ({ entries: [], total: 0 }),
    "journal.ack": async ({ ids }) => ({ acknowledged: ids.length, remaining: 0 }),
    "scanner.simulate": async () => ({ at: "2026-11-26T09:00:00.000Z" }),
    "scanner.pending": async () => ({ reads: [], total: 0 }),
    "devices.list": async () => ({ devices: [] }),
    "host.logs": async () => ({ logDir: null, crashDumpDir: null }),
    "enrolment.enrol": async () => ({ ok: false, reason: "none" }),
    "scanner.ack": async ({ readIds }) => ({ acknowledged: readIds.length, remaining: 0 }),
    "jig.slots": async () => ({ slots: [] }),
    "jig.load": async () => ({ ok: false, code: "unknown-jig", reason: "none" }),
    "jig.unload": async () => ({ ok: true }),
    "jig.fault-report": async () => ({ ok: false, reason: "none" }),
    "print.printers": async () => ({ printers: [] }),
    "print.page": async () => ({ printed: false, reason: "none" }),
    "update.status": async () => ({ on: false, ready: false, message: "none" }),
    "update.restart": async () => ({ restarting: false, message: "none" }),
    ...overrides,
  };
}

describe("the channel map", () => {
  it("lists every channel and event, and only those", () => {
    expect(BRIDGE_CHANNELS).toEqual(Object.keys(bridgeRequests));
    expect(BRIDGE_EVENTS).toEqual(Object.keys(bridgeEvents));
    expect(isBridgeChannel("host.info")).toBe(true);
    expect(isBridgeChannel("__proto__")).toBe(false);
    expect(isBridgeChannel("toString")).toBe(false);
  });

  it("reads the error code from a BridgeError, from a bare message (what crosses contextBridge), and nothing else", () => {
    expect(bridgeErrorCode(new BridgeError("unavailable", "x"))).toBe("unavailable");
    expect(bridgeErrorCode(new Error("bad-request: raw: too short"))).toBe("bad-request");
    expect(bridgeErrorCode(new Error("Error: something"))).toBeNull();
    expect(bridgeErrorFromBody({ code: "failed", message: "failed: disk full" }).message).toBe("failed: disk full");
    fc.assert(
      fc.property(fc.anything(), (v) => {
        const code = bridgeErrorCode(v);
        return code === null || typeof code === "string";
      }),
      { numRuns: 300 },
    );
  });
});

describe("frames", () => {
  it("never throw on arbitrary text, and refuse what is not a frame", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const c = parseClientFrame(text);
        const h = parseHostFrame(text);
        return (c.ok || c.error.code === "bad-request") && (h.ok || h.error.code === "bad-request");
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const c = parseClientFrame(JSON.stringify(value));
        return typeof c.ok === "boolean";
      }),
      { numRuns: 300 },
    );
  });

  it("round-trip every request frame", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        fc.constantFrom(...BRIDGE_CHANNELS),
        fc.jsonValue(),
        (id, channel, args) => {
          const frame: ClientFrame = { type: "request", id, channel, args };
          const parsed = parseClientFrame(encodeFrame(frame));
          return parsed.ok && JSON.stringify(parsed.frame) === JSON.stringify(JSON.parse(encodeFrame(frame)));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("keep a malformed request's id so its caller gets an answer", () => {
    const parsed = parseClientFrame(JSON.stringify({ type: "request", id: 5, channel: 3 }));
    expect(parsed).toMatchObject({ ok: false, requestId: 5, error: { code: "bad-request" } });
  });
});

describe("createBridgeDispatcher", () => {
  it("refuses unknown channels, including prototype names", async () => {
    const dispatch = createBridgeDispatcher(handlers());
    for (const name of ["hub.erase", "__proto__", "constructor", 7]) {
      expect(await dispatch(name, {})).toMatchObject({ ok: false, error: { code: "unknown-channel" } });
    }
  });

  it("refuses bad args without calling the handler", async () => {
    let called = 0;
    const dispatch = createBridgeDispatcher(
      handlers({ "scanner.simulate": async () => ((called += 1), { at: "2026-11-26T09:00:00.000Z" }) }),
    );
    const out = await dispatch("scanner.simulate", { raw: "" });
    expect(out).toMatchObject({ ok: false, error: { code: "bad-request" } });
    expect(out.ok ? "" : out.error.message).toContain("raw");
    expect(called).toBe(0);
  });

  it("turns a handler's throw into 'failed' and keeps a BridgeError's own code", async () => {
    const dispatch = createBridgeDispatcher(
      handlers({
        "journal.pending": async () => {
          throw new Error("disk full");
        },
        "scanner.simulate": async () => {
          throw new BridgeError("unavailable", "real scanners");
        },
      }),
    );
    expect(await dispatch("journal.pending", {})).toEqual({
      ok: false,
      error: { code: "failed", message: "failed: journal.pending: disk full" },
    });
    expect(await dispatch("scanner.simulate", { raw: "X" })).toEqual({
      ok: false,
      error: { code: "unavailable", message: "unavailable: real scanners" },
    });
  });

  it("catches a host result that breaks the contract", async () => {
    const dispatch = createBridgeDispatcher(
      handlers({ "host.info": async () => ({ ...info, shell: "tablet" }) as never }),
    );
    expect(await dispatch("host.info", {})).toMatchObject({ ok: false, error: { code: "failed" } });
  });

  it("parses events against the map", () => {
    expect(parseBridgeEvent("journal.changed", { pending: 2 })).toEqual({
      event: "journal.changed",
      payload: { pending: 2 },
    });
    expect(parseBridgeEvent("journal.changed", { pending: -1 })).toBeNull();
    expect(parseBridgeEvent("hub.erased", {})).toBeNull();
  });
});

describe("reconnectDelay", () => {
  it("stays within [base/2, base] of a capped doubling", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, r) => {
          const base = Math.min(10_000, 250 * 2 ** Math.min(attempt, 30));
          const d = reconnectDelay(attempt, { initialMs: 250, maxMs: 10_000 }, r);
          return d >= Math.floor(base / 2) && d <= base;
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("createBridgeClient", () => {
  function harness() {
    const sockets: Array<{ events: BridgeSocketEvents; sent: ClientFrame[]; closed: boolean }> = [];
    const timers: Array<{ fn: () => void; ms: number }> = [];
    const client = createBridgeClient({
      secret: () => "s".repeat(64),
      random: () => 0,
      timers: { set: (fn, ms) => timers.push({ fn, ms }), clear: () => undefined },
      openSocket(events) {
        const record = { events, sent: [] as ClientFrame[], closed: false };
        sockets.push(record);
        return {
          send: (t) => {
            const parsed = parseClientFrame(t);
            if (parsed.ok) record.sent.push(parsed.frame);
          },
          close: () => (record.closed = true),
        };
      },
    });
    const settle = async () => {
      for (let i = 0; i < 5; i += 1) await Promise.resolve();
    };
    return { client, sockets, timers, settle };
  }

  it("holds requests until the welcome, then sends them in order", async () => {
    const { client, sockets, settle } = harness();
    await settle();
    const a = client.invoke("journal.pending", {});
    const b = client.invoke("host.info", {});
    const s = sockets[0];
    if (s === undefined) throw new Error("no socket");
    s.events.open();
    expect(s.sent.map((f) => f.type)).toEqual(["hello"]);
    s.events.message(encodeFrame({ type: "welcome", protocol: 1 }));
    expect(s.sent.map((f) => (f.type === "request" ? f.channel : f.type))).toEqual([
      "hello",
      "journal.pending",
      "host.info",
    ]);
    s.events.message(encodeFrame({ type: "response", id: 2, ok: true, result: info }));
    s.events.message(
      encodeFrame({ type: "response", id: 1, ok: false, error: { code: "failed", message: "failed: disk" } }),
    );
    expect((await b).dockId).toBe("dock-1");
    await expect(a).rejects.toThrow("failed: disk");
    client.close();
  });

  it("rejects a result that breaks the contract instead of handing it to the renderer", async () => {
    const { client, sockets, settle } = harness();
    await settle();
    const s = sockets[0];
    if (s === undefined) throw new Error("no socket");
    s.events.open();
    s.events.message(encodeFrame({ type: "welcome", protocol: 1 }));
    const p = client.invoke("journal.pending", {});
    s.events.message(encodeFrame({ type: "response", id: 1, ok: true, result: { entries: "none" } }));
    await expect(p).rejects.toThrow(/^failed: journal.pending: invalid result/);
    client.close();
  });

  it("on a drop, rejects what was in flight as 'disconnected', backs off, and reconnects", async () => {
    const { client, sockets, timers, settle } = harness();
    await settle();
    const s = sockets[0];
    if (s === undefined) throw new Error("no socket");
    s.events.open();
    s.events.message(encodeFrame({ type: "welcome", protocol: 1 }));
    const inFlight = client.invoke("host.info", {}).catch((e: unknown) => bridgeErrorCode(e));
    s.events.close(1006, "");
    expect(await inFlight).toBe("disconnected");
    expect(client.state()).toMatchObject({ status: "waiting", retryInMs: 125 });
    s.events.close(1006, ""); // a second close of the same socket schedules nothing more
    expect(timers).toHaveLength(1);
    timers[0]?.fn();
    await settle();
    expect(sockets).toHaveLength(2);
    client.close();
  });

  it("close() rejects queued requests and stops reconnecting", async () => {
    const { client, sockets, timers, settle } = harness();
    await settle();
    const queued = client.invoke("host.info", {}).catch((e: unknown) => bridgeErrorCode(e));
    client.close();
    expect(await queued).toBe("closed");
    await expect(client.ready()).rejects.toThrow(/closed/);
    sockets[0]?.events.close(1000, "client closed");
    expect(timers).toHaveLength(0);
    await expect(client.invoke("host.info", {})).rejects.toThrow(/^closed/);
  });

  it("delivers valid events and drops invalid ones", async () => {
    const { client, sockets, settle } = harness();
    await settle();
    const s = sockets[0];
    if (s === undefined) throw new Error("no socket");
    const heard: number[] = [];
    client.on("journal.changed", (p) => heard.push(p.pending));
    s.events.open();
    s.events.message(encodeFrame({ type: "welcome", protocol: 1 }));
    s.events.message(encodeFrame({ type: "event", event: "journal.changed", payload: { pending: 3 } }));
    s.events.message(encodeFrame({ type: "event", event: "journal.changed", payload: { pending: "3" } }));
    s.events.message("{");
    expect(heard).toEqual([3]);
    client.close();
  });
});
