import { testDockStore } from "../test-support/dock-store";
import { describe, expect, it } from "vitest";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { DockDb } from "../db/dock-db";

function storeOn(db: DockDb) {
  return testDockStore(db, { now: () => Date.parse("2026-12-04T10:00:00Z"), clockOffsetMs: () => 0 });
}

describe("scanner settings: the camera mode", () => {
  it("starts as one label, and the mode chosen is kept on this dock PC across a restart", async () => {
    const db = new DockDb("camera-mode", { indexedDB: new IDBFactory(), IDBKeyRange });
    const first = storeOn(db);
    expect(first.getState().cameraMode).toBe("single");
    await first.getState().setCameraMode("carton-face");
    expect(first.getState().cameraMode).toBe("carton-face");
    const again = storeOn(db);
    expect(again.getState().cameraMode).toBe("single");
    await again.getState().loadScannerSettings();
    expect(again.getState().cameraMode).toBe("carton-face");
    await again.getState().setCameraMode("single");
    const third = storeOn(db);
    await third.getState().loadScannerSettings();
    expect(third.getState().cameraMode).toBe("single");
  });
});
