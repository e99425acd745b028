import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CONFIG_FILE_NAME, loadElectronConfig, readConfigFile } from "./electron-config";

const paths = { userData: "/home/op/.config/Re-Flash Dock", appPath: "/opt/dock/resources/app.asar", version: "1.2.3" };

describe("Electron configuration", () => {
  it("keeps the journal in userData, the renderer inside the app, the app's version", () => {
    const loaded = loadElectronConfig({}, {}, paths);
    if (!loaded.ok) throw new Error(loaded.error);
    expect(loaded.config.dataDir).toBe(join(paths.userData, "host"));
    expect(loaded.config.rendererDist).toBe(join(paths.appPath, "renderer", "dist"));
    expect(loaded.config.version).toBe("1.2.3");
  });

  it("takes the settings file, and the environment over it", () => {
    const loaded = loadElectronConfig(
      { DOCK_ID: "dock-env", SITE_NAME: "" },
      { DOCK_ID: "dock-file", SITE_NAME: "Leeds dock", CENTRAL_URL: "https://central.example" },
      paths,
    );
    if (!loaded.ok) throw new Error(loaded.error);
    expect(loaded.config.dockId).toBe("dock-env");
    expect(loaded.config.site.name).toBe("Leeds dock");
    expect(loaded.config.centralUrl).toBe("https://central.example");
  });

  it("stops with a clear error on a bad value", () => {
    const loaded = loadElectronConfig({ CENTRAL_URL: "ftp://nope" }, {}, paths);
    expect(loaded.ok).toBe(false);
    if (!loaded.ok) expect(loaded.error).toMatch(/CENTRAL_URL/);
  });

  it("reads the settings file: missing is empty, unreadable, non-JSON or wrong shape is an error naming it", () => {
    const missing = () => {
      throw Object.assign(new Error("nope"), { code: "ENOENT" });
    };
    expect(readConfigFile("/u", missing)).toEqual({ ok: true, vars: {} });
    expect(readConfigFile("/u", () => '{"DOCK_ID":"dock-7"}')).toEqual({ ok: true, vars: { DOCK_ID: "dock-7" } });
    for (const text of ["{", "[]", '{"DOCK_ID": 7}', '{"dock_id": "x"}']) {
      const result = readConfigFile("/u", () => text);
      expect(result.ok, text).toBe(false);
      if (!result.ok) expect(result.error).toContain(join("/u", CONFIG_FILE_NAME));
    }
    const denied = readConfigFile("/u", () => {
      throw Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" });
    });
    expect(denied.ok).toBe(false);
  });
});
