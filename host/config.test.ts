import { describe, expect, it } from "vitest";
import { loadHostConfig } from "./config";

describe("loadHostConfig", () => {
  it("defaults to port 4020, central on 4010, simulated hardware", () => {
    const loaded = loadHostConfig({});
    if (!loaded.ok) throw new Error(loaded.error);
    expect(loaded.config).toMatchObject({
      port: 4020,
      centralUrl: "http://127.0.0.1:4010",
      centralToken: null,
      simulated: true,
      site: { csp: "North", production: false },
    });
  });

  it("treats empty variables as unset and reads the site", () => {
    const loaded = loadHostConfig({
      HOST_PORT: "",
      DOCK_ID: "DOCK-N1",
      SITE_FACILITY_ID: "N-DOCK-1",
      SITE_CSP: "CentralSouth",
      SITE_PRODUCTION: "true",
    });
    if (!loaded.ok) throw new Error(loaded.error);
    expect(loaded.config).toMatchObject({
      port: 4020,
      dockId: "DOCK-N1",
      site: { facilityId: "N-DOCK-1", csp: "CentralSouth", production: true },
    });
  });

  it("carries the dock's central token from DOCK_CENTRAL_TOKEN", () => {
    const loaded = loadHostConfig({ DOCK_CENTRAL_TOKEN: "tok-123" });
    if (!loaded.ok) throw new Error(loaded.error);
    expect(loaded.config.centralToken).toBe("tok-123");
  });

  it("reads the unsent-event alarm's threshold in seconds (10 minutes by default) and refuses one out of range", () => {
    const byDefault = loadHostConfig({});
    if (!byDefault.ok) throw new Error(byDefault.error);
    expect(byDefault.config.unsentAlarmMs).toBe(600_000);
    const short = loadHostConfig({ DOCK_UNSENT_ALARM_SECONDS: "3" });
    if (!short.ok) throw new Error(short.error);
    expect(short.config.unsentAlarmMs).toBe(3000);
    for (const bad of ["0", "1.5", "86401", "ten"]) {
      const refused = loadHostConfig({ DOCK_UNSENT_ALARM_SECONDS: bad });
      expect(refused.ok).toBe(false);
      if (!refused.ok) expect(refused.error).toContain("DOCK_UNSENT_ALARM_SECONDS");
    }
  });

  it("names the variable that is wrong", () => {
    expect(loadHostConfig({ HOST_PORT: "70000" })).toMatchObject({
      ok: false,
      error: expect.stringContaining("HOST_PORT"),
    });
    expect(loadHostConfig({ CENTRAL_URL: "ftp://x" })).toMatchObject({
      ok: false,
      error: expect.stringContaining("CENTRAL_URL"),
    });
    expect(loadHostConfig({ DOCK_ID: "dock 1" })).toMatchObject({
      ok: false,
      error: expect.stringContaining("DOCK_ID"),
    });
    expect(loadHostConfig({ DOCK_HARDWARE: "usb" })).toMatchObject({
      ok: false,
      error: expect.stringContaining("DOCK_HARDWARE"),
    });
  });

  it("refuses plain HTTP to a central that is not on this machine unless DOCK_ALLOW_PLAIN_HTTP=true", () => {
    for (const url of [
      "http://central.example:4010",
      "http://10.0.0.5:4010",
      "http://128.0.0.1",
      "http://127.0.0.1.evil.example",
    ]) {
      expect(loadHostConfig({ CENTRAL_URL: url })).toMatchObject({
        ok: false,
        error: expect.stringContaining("https://"),
      });
      expect(loadHostConfig({ CENTRAL_URL: url, DOCK_ALLOW_PLAIN_HTTP: "true" })).toMatchObject({ ok: true });
    }
    for (const url of [
      "http://127.0.0.1:4010",
      "http://localhost:4010",
      "http://[::1]:4010",
      "http://127.10.0.3",
      "https://central.example",
    ]) {
      expect(loadHostConfig({ CENTRAL_URL: url })).toMatchObject({ ok: true });
    }
  });
});
