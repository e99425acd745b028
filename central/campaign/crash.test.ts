import { describe, expect, it } from "vitest";
import { testBackends } from "../test-support";
import { crashRow, runCrashCampaign } from "./crash-campaign";

/**
 * Central SIGKILLed at random points of a dock's pushes, on each database (issue 21). Small
 * counts here; `npm run soak:central-crash` runs 1,000 pushes and more kills.
 */
describe.each(testBackends())("central killed mid-push on %s", (kind) => {
  it("every batch is stored wholly or not at all, and the dock's retries converge with nothing lost or doubled", async () => {
    const seed = 20261204 + (kind === "postgres" ? 1 : 0);
    const f = await runCrashCampaign({
      kind,
      pushes: 200,
      eventsPerPush: 5,
      kills: 5,
      maxKillDelayMs: 12,
      seed,
      ...(process.env.TEST_DATABASE_URL ? { adminUrl: process.env.TEST_DATABASE_URL } : {}),
      log: (l) => console.log(l),
    });
    console.log(crashRow(f));
    expect(f.killsMidPush).toBeGreaterThan(0);
    expect({
      partial: f.partial,
      lostAfterKill: f.lostAfterKill,
      lost: f.lost,
      acceptedTwice: f.acceptedTwice,
      storedTwice: f.storedTwice,
      rejected: f.rejected,
    }).toEqual({ partial: 0, lostAfterKill: 0, lost: 0, acceptedTwice: 0, storedTwice: 0, rejected: 0 });
  }, 300_000);
});
