import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { corsFor, dockOrigins, exactOrigins } from "./cors-policy";

describe("central CORS policy", () => {
  it("allows the browser shell's loopback origins and the Electron app, nothing else", () => {
    for (const o of ["http://127.0.0.1:4020", "http://localhost:5173", "http://[::1]:80", "app://dock"])
      expect(dockOrigins(o), o).toBe(true);
    for (const o of [
      "http://evil.example",
      "http://127.0.0.1.evil.example",
      "https://192.168.1.5:4020",
      "app://other",
      "null",
    ])
      expect(dockOrigins(o), o).toBe(false);
  });

  it("uses an exact list when one is configured", () => {
    const p = exactOrigins(" https://dock.example , app://dock");
    expect(p("https://dock.example")).toBe(true);
    expect(p("app://dock")).toBe(true);
    expect(p("http://127.0.0.1:4020")).toBe(false);
  });

  it("answers a preflight for an allowed origin and withholds the header from others", async () => {
    const app = new Hono();
    app.use("*", corsFor(dockOrigins));
    app.post("/sync/pull", (c) => c.json({ ok: true }));
    const pre = await app.request("/sync/pull", {
      method: "OPTIONS",
      headers: {
        Origin: "http://127.0.0.1:4020",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
      },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe("http://127.0.0.1:4020");
    expect(pre.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");
    // The dock sends its outbox report with every push and pull (shared/sync.ts DOCK_OUTBOX_HEADER).
    expect(pre.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("x-dock-outbox");
    const foreign = await app.request("/sync/pull", { method: "POST", headers: { Origin: "http://evil.example" } });
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
  });
});
