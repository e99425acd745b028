import { describe, expect, it } from "vitest";
import { runScaleOut, scaleOutRow } from "./scale-out";

/**
 * 2 and 4 central processes on one PostgreSQL server (issue 21). Needs TEST_DATABASE_URL (the
 * private test server `npm test` starts); without it the campaign cannot run and says so.
 */
const adminUrl = process.env.TEST_DATABASE_URL;

describe.skipIf(!adminUrl).each([2, 4])("%i central processes on one PostgreSQL", (processes) => {
  it("nothing applied twice, lost, sent twice or numbered twice, with one process killed mid-batch", async () => {
    const f = await runScaleOut({
      processes,
      docks: 4,
      eventsPerPush: 40,
      asnPerDock: 15,
      notices: 120,
      seed: 21_000 + processes,
      adminUrl: adminUrl ?? "",
      log: (l) => console.log(l),
    });
    console.log(scaleOutRow(f));
    expect(f.killedMidBatch).toBe(true);
    expect(f.crossReplays).toBeGreaterThan(0);
    expect(f.noticesBy.filter((n) => n > 0).length).toBeGreaterThan(0);
    expect({
      appliedTwice: f.appliedTwice,
      storedTwice: f.storedTwice,
      lost: f.lost,
      rejected: f.rejected,
      notAllDuplicate: f.crossReplaysNotAllDuplicate,
      asnTwice: f.asnIssuedTwice,
      noticesTwice: f.noticesSentTwice,
      unsent: f.notices - f.noticesSent,
    }).toEqual({
      appliedTwice: 0,
      storedTwice: 0,
      lost: 0,
      rejected: 0,
      notAllDuplicate: 0,
      asnTwice: 0,
      noticesTwice: 0,
      unsent: 0,
    });
  }, 300_000);
});
