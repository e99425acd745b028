import { describe, expect, it } from "vitest";
import type { HostInfo } from "../../../shared/bridge/channels";
import { resolveBootConfig } from "./boot-config";

const info: HostInfo = {
  shell: "browser",
  version: "0.1.0",
  protocol: 1,
  simulated: true,
  dockId: "DOCK-N1",
  site: { facilityId: "N-DOCK-1", name: "CSP North dock", csp: "North", production: true },
  centralUrl: "http://127.0.0.1:4010",
  centralToken: "host-token",
  startedAt: "2026-11-26T09:00:00.000Z",
};

describe("resolveBootConfig", () => {
  it("takes the dock's identity, site and central token from the host", () => {
    const c = resolveBootConfig("", info, null);
    expect(c).toMatchObject({
      dockId: "DOCK-N1",
      siteName: "CSP North dock",
      token: "host-token",
      shell: "browser",
      site: { facilityId: "N-DOCK-1", csp: "North", production: true },
    });
  });

  it("takes the unsent-event alarm's threshold from the host, else 10 minutes", () => {
    expect(resolveBootConfig("", { ...info, unsentAlarmMs: 3000 }, null).unsentAlarmMs).toBe(3000);
    expect(resolveBootConfig("", info, null).unsentAlarmMs).toBe(600_000);
    expect(resolveBootConfig("", null, null).unsentAlarmMs).toBe(600_000);
  });

  it("prefers a token in the query, then the host's, then the one stored on this PC", () => {
    expect(resolveBootConfig("?token=query-token", info, "stored").token).toBe("query-token");
    expect(resolveBootConfig("", info, "stored").token).toBe("host-token");
    expect(resolveBootConfig("", { ...info, centralToken: null }, "stored").token).toBe("stored");
    expect(resolveBootConfig("", null, null).token).toBeNull();
  });
});
