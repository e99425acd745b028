import { join, relative, resolve, sep } from "node:path";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";

const registered = vi.hoisted(() => ({ schemes: [] as unknown[] }));
vi.mock("electron", () => ({
  protocol: { registerSchemesAsPrivileged: (schemes: unknown[]) => registered.schemes.push(...schemes) },
}));

const { registerAppScheme, rendererFilePath, rendererResponse } = await import("./renderer-protocol");

const root = resolve("/srv/dock/renderer/dist");
const files: Record<string, string> = {
  [join(root, "index.html")]: "<!doctype html><html><head><title>Dock</title></head><body></body></html>",
  [join(root, "assets/app-1a2b.js")]: "console.log(1)",
  [join(root, "assets/app.css")]: "body{}",
};
const read = async (path: string) => {
  const text = files[path];
  if (text === undefined) throw Object.assign(new Error(`ENOENT ${path}`), { code: "ENOENT" });
  return new TextEncoder().encode(text);
};
const CSP = "default-src 'none'";

describe("app:// scheme", () => {
  it("is registered standard and secure (a real origin, a secure context), without bypassing CSP", () => {
    registerAppScheme();
    expect(registered.schemes).toEqual([
      { scheme: "app", privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
    ]);
  });
});

describe("renderer files", () => {
  it("maps our URLs into the renderer directory", () => {
    expect(rendererFilePath("app://dock/", root)).toBe(join(root, "index.html"));
    expect(rendererFilePath("app://dock/assets/app-1a2b.js?v=1#x", root)).toBe(join(root, "assets/app-1a2b.js"));
  });

  it("refuses other hosts, schemes, traversal and garbage", () => {
    for (const url of [
      "app://evil/index.html",
      "file:///etc/passwd",
      "https://dock/index.html",
      "app://dock/..%2f..%2fetc/passwd",
      "app://dock/a%00b",
      "app://dock/%E0%A4%A",
      "not a url",
    ]) {
      expect(rendererFilePath(url, root), url).toBeNull();
    }
  });

  it("dot segments are resolved by the URL parser first, so they stay inside", () => {
    expect(rendererFilePath("app://dock/%2e%2e/%2e%2e/etc/passwd", root)).toBe(join(root, "etc/passwd"));
    expect(rendererFilePath("app://dock/../../etc/passwd", root)).toBe(join(root, "etc/passwd"));
  });

  it("never names a file outside the renderer directory (property)", () => {
    const segment = fc.oneof(
      fc.constantFrom("..", ".", "%2e%2e", "%2f", "%5c", "..%2f", "..\\", "assets", "index.html", ""),
      fc.string({ maxLength: 6 }),
    );
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 8 }), (parts) => {
        const file = rendererFilePath(`app://dock/${parts.join("/")}`, root);
        if (file === null) return true;
        const inside = relative(root, file);
        return inside !== "" && !inside.startsWith(`..${sep}`) && inside !== "..";
      }),
      { numRuns: 500 },
    );
  });

  it("serves index.html with the CSP header and the meta fallback, never cached", async () => {
    const response = await rendererResponse({ url: "app://dock/index.html", method: "GET" }, root, CSP, read);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toBe(CSP);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await response.text()).toContain(`<head>\n    <meta http-equiv="Content-Security-Policy" content="${CSP}">`);
  });

  it("serves assets with their type, nosniff and the CSP", async () => {
    const response = await rendererResponse({ url: "app://dock/assets/app-1a2b.js", method: "GET" }, root, CSP, read);
    expect(response.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("content-security-policy")).toBe(CSP);
    expect(await response.text()).toBe("console.log(1)");
  });

  it("gives client-side routes the app shell, a missing asset a 404, a write a 405, a foreign URL a 404", async () => {
    const route = await rendererResponse({ url: "app://dock/receiving/booking-7", method: "GET" }, root, CSP, read);
    expect(route.status).toBe(200);
    expect(await route.text()).toContain("<title>Dock</title>");
    expect(
      (await rendererResponse({ url: "app://dock/assets/missing.js", method: "GET" }, root, CSP, read)).status,
    ).toBe(404);
    expect((await rendererResponse({ url: "app://dock/index.html", method: "POST" }, root, CSP, read)).status).toBe(
      405,
    );
    const foreign = await rendererResponse({ url: "app://elsewhere/index.html", method: "GET" }, root, CSP, read);
    expect(foreign.status).toBe(404);
    expect(foreign.headers.get("content-security-policy")).toBe(CSP);
  });

  it("says how to build the renderer when it is missing", async () => {
    const response = await rendererResponse({ url: "app://dock/", method: "GET" }, "/nowhere", CSP, read);
    expect(response.status).toBe(404);
    const shell = await rendererResponse({ url: "app://dock/receiving", method: "GET" }, "/nowhere", CSP, read);
    expect(shell.status).toBe(503);
    expect(await shell.text()).toMatch(/vite build/);
  });
});
