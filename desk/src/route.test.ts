import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ADMIN_TABS, PORTAL_TABS, parseRoute, pathOf } from "./route";

describe("desk routes", () => {
  it("reads the setup token from the fragment only, never from the path or query", () => {
    expect(parseRoute("/desk/setup", "#token=abc_DEF-123")).toEqual({ page: "setup", token: "abc_DEF-123" });
    expect(parseRoute("/desk/setup", "")).toEqual({ page: "setup", token: "" });
  });
  it("sends an unknown admin tab to Parties and anything else to sign-in", () => {
    expect(parseRoute("/desk/admin/nope", "")).toEqual({ page: "admin", tab: "parties" });
    fc.assert(
      fc.property(fc.string(), (s) => {
        const r = parseRoute(`/desk/${s.replace(/^(admin|portal|setup|account)/, "x")}`, "");
        expect(r.page === "sign-in" || r.page === "admin").toBe(true);
      }),
    );
  });
  it("round-trips every page through its path", () => {
    for (const tab of ADMIN_TABS)
      expect(parseRoute(pathOf({ page: "admin", tab }), "")).toEqual({ page: "admin", tab });
    for (const tab of PORTAL_TABS)
      expect(parseRoute(pathOf({ page: "portal", tab }), "")).toEqual({ page: "portal", tab });
    expect(parseRoute(pathOf({ page: "account" }), "")).toEqual({ page: "account" });
    expect(parseRoute(pathOf({ page: "sign-in" }), "")).toEqual({ page: "sign-in" });
  });
});
