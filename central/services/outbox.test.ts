import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type CentralDatabase } from "../db/connect";
import { freshPostgresDatabase, testBackends } from "../test-support";
import { deliverOutbox, enqueueNotice } from "./outbox";

/**
 * Several central processes deliver one outbox: each due notice is claimed by exactly one
 * (FOR UPDATE SKIP LOCKED, a lease on next_attempt_at), so none is sent twice and none is left.
 * On PostgreSQL the deliverers hold their own connection pools, as separate processes would.
 */
describe.each(testBackends())("outbox claims on %s", (backend) => {
  const NOTICES = 300;
  const DELIVERERS = 4;
  let handles: CentralDatabase[] = [];
  let drop = async () => {};
  let dirs: string[] = [];

  beforeAll(async () => {
    if (backend === "postgres") {
      const fresh = await freshPostgresDatabase(process.env.TEST_DATABASE_URL ?? "");
      drop = fresh.drop;
      for (let i = 0; i < DELIVERERS; i++) handles.push(await openDatabase({ kind: "postgres", url: fresh.url }));
    } else {
      handles = [await openDatabase({ kind: "pglite", dataDir: null })];
    }
    dirs = await Promise.all(Array.from({ length: DELIVERERS }, () => mkdtemp(join(tmpdir(), "outbox-claim-"))));
  });
  afterAll(async () => {
    for (const h of handles) await h.close();
    await drop();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it(`${DELIVERERS} deliverers at once send each of ${NOTICES} notices exactly once`, async () => {
    const db = handles[0]!.db;
    for (let i = 0; i < NOTICES; i++)
      await enqueueNotice(db, { kind: "asn", to: `party${i}@example.test`, subject: `notice ${i}`, text: "t" });
    // Each deliverer keeps claiming small pages until nothing is due, all at once.
    const reports = await Promise.all(
      dirs.map(async (dir, i) => {
        const h = handles[i % handles.length]!;
        let sent = 0;
        for (;;) {
          const r = await deliverOutbox(
            h.db,
            { kind: "eml", dir },
            { from: "DCC <dcc@example.test>", maxAttempts: 3, limit: 7 },
          );
          sent += r.sent;
          if (r.sent + r.failed + r.retrying === 0) return sent;
        }
      }),
    );
    const files = (await Promise.all(dirs.map((d) => readdir(d)))).flat();
    const ids = files.map((f) => f.slice(0, 8));
    const twice = ids.length - new Set(ids).size;
    const left = await db
      .selectFrom("outbox")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("status", "<>", "sent")
      .executeTakeFirstOrThrow();
    console.log(
      `outbox claims | ${backend} | ${NOTICES} notices, ${DELIVERERS} deliverers (${reports.join("/")} sent) | files ${files.length}, sent twice ${twice}, left unsent ${left.n} | expected ${NOTICES}, 0, 0`,
    );
    expect(reports.reduce((a, b) => a + b, 0)).toBe(NOTICES);
    expect(files.length).toBe(NOTICES);
    expect(twice).toBe(0);
    expect(Number(left.n)).toBe(0);
    if (backend === "postgres") expect(reports.filter((n) => n > 0).length).toBeGreaterThan(1);
  });
});
