import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, cspDirectives, injectCspMeta, withCspHeader } from "./content-security-policy";

const csp = contentSecurityPolicy({ centralUrl: "http://127.0.0.1:4010/api" });

function directive(policy: string, name: string): string[] | undefined {
  const found = policy
    .split(";")
    .map((d) => d.trim().split(/\s+/))
    .find(([n]) => n === name);
  return found?.slice(1);
}

describe("Content-Security-Policy", () => {
  it("allows nothing by default and only our own scripts and styles, no inline, no eval", () => {
    expect(directive(csp, "default-src")).toEqual(["'none'"]);
    // 'wasm-unsafe-eval' lets our own bundled WebAssembly (the carton-face decoder) compile; it allows no JavaScript eval.
    expect(directive(csp, "script-src")).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(directive(csp, "style-src")).toEqual(["'self'"]);
    expect(csp.replace("'wasm-unsafe-eval'", "")).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    for (const name of ["object-src", "frame-src", "base-uri", "form-action", "frame-ancestors"])
      expect(directive(csp, name), name).toEqual(["'none'"]);
  });

  it("lets the page reach central's origin and nothing else on the network", () => {
    expect(directive(csp, "connect-src")).toEqual(["'self'", "http://127.0.0.1:4010"]);
    expect(directive(contentSecurityPolicy({ centralUrl: "not a url" }), "connect-src")).toEqual(["'self'"]);
    expect(directive(contentSecurityPolicy({ centralUrl: "javascript:alert(1)" }), "connect-src")).toEqual(["'self'"]);
  });

  it("the <meta> form drops frame-ancestors (ignored in meta), nothing else", () => {
    const meta = cspDirectives({ centralUrl: "http://c" }, true).map(([n]) => n);
    const header = cspDirectives({ centralUrl: "http://c" }).map(([n]) => n);
    expect(header.filter((n) => !meta.includes(n))).toEqual(["frame-ancestors"]);
  });

  it("the header replaces whatever CSP a response carried, whatever its case, and keeps the other headers", () => {
    const headers = withCspHeader(
      {
        "content-security-policy": ["default-src *"],
        "CONTENT-SECURITY-POLICY": ["script-src 'unsafe-inline'"],
        "X-Other": ["1"],
      },
      csp,
    );
    expect(headers).toEqual({ "Content-Security-Policy": [csp], "X-Other": ["1"] });
    expect(withCspHeader(undefined, csp)).toEqual({ "Content-Security-Policy": [csp] });
  });

  it("always leaves exactly one CSP header, ours (property)", () => {
    const name = fc.oneof(
      fc.constantFrom("content-security-policy", "Content-Security-Policy", "CoNtEnT-SeCuRiTy-PoLiCy"),
      fc.string({ minLength: 1, maxLength: 20 }),
    );
    fc.assert(
      fc.property(fc.dictionary(name, fc.array(fc.string(), { maxLength: 3 })), (headers) => {
        const out = withCspHeader(headers, csp);
        const cspHeaders = Object.entries(out).filter(([n]) => n.toLowerCase() === "content-security-policy");
        return cspHeaders.length === 1 && cspHeaders[0]?.[1].length === 1 && cspHeaders[0][1][0] === csp;
      }),
      { numRuns: 300 },
    );
  });

  it("puts the meta fallback first in <head>, with quotes escaped", () => {
    const html = injectCspMeta('<!doctype html><html><head lang="en"><title>x</title></head></html>', `a "b"`);
    expect(html).toContain(
      '<head lang="en">\n    <meta http-equiv="Content-Security-Policy" content="a &quot;b&quot;"><title>',
    );
    expect(injectCspMeta("<p>no head</p>", "x")).toMatch(/^<meta http-equiv="Content-Security-Policy" content="x">/);
  });
});
