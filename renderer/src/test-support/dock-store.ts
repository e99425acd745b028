import { DEFAULT_PACKING_LIMITS } from "../../../shared/domain/booking";
import type { DockDb } from "../db/dock-db";
import type { DockDeps } from "../store/dock-deps";
import { createDockStore } from "../store/dock-store";
import type { DockStore } from "../store/slice-types";

/**
 * What the dock store needs, for the renderer's unit tests: dock DOCK-1 at a North site, the
 * default packing limits, the real clock, no sound, no clock offset, nothing listening for
 * recorded events. `over` replaces any of it (a fixed clock, a site from a booking, a sound log).
 */
export function testDockDeps(db: DockDb, over: Partial<DockDeps> = {}): DockDeps {
  return {
    db,
    dockId: "DOCK-1",
    site: { facilityId: "FAC-1", csp: "North", production: true },
    limits: DEFAULT_PACKING_LIMITS,
    now: Date.now,
    sound: { signal: () => undefined },
    clockOffsetMs: () => null,
    onRecorded: () => undefined,
    ...over,
  };
}

/** The production dock store over `testDockDeps(db, over)`. */
export function testDockStore(db: DockDb, over: Partial<DockDeps> = {}): DockStore {
  return createDockStore(testDockDeps(db, over));
}
