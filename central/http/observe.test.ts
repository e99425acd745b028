import { describe, expect, it } from "vitest";
import { sql } from "kysely";
import { openDatabase } from "../db/connect";
import { deliverOutbox, enqueueNotice, type MailTarget } from "../services/outbox";
import { createObserver } from "./observe";
import { dockOutboxHeader } from "../../shared/sync";

/** /health names the part that is unwell; /metrics without a token answers loopback callers only. */
describe("health and metrics", () => {
  it("says which part is unwell: outbox stuck, mail failing, database gone", async () => {
    const database = await openDatabase({ kind: "pglite", dataDir: null });
    const mail: MailTarget = { kind: "smtp", url: "smtp://127.0.0.1:1" };
    const obs = createObserver({
      db: database.db,
      databaseKind: "pglite",
      mail,
      metricsToken: null,
      outboxMaxDueAgeSeconds: 60,
      addressOf: () => "127.0.0.1",
    });
    const health = async () => {
      const r = await obs.routes.request("/health");
      return {
        status: r.status,
        body: (await r.json()) as {
          ok: boolean;
          unwell?: string[];
          parts: Record<string, { ok: boolean; reason?: string }>;
        },
      };
    };
    expect(await health()).toMatchObject({ status: 200, body: { ok: true } });

    await enqueueNotice(database.db, { kind: "asn", to: "p@example.test", subject: "s", text: "t" });
    await sql`update outbox set created_at = now() - interval '2 hours'`.execute(database.db);
    let h = await health();
    expect(h.status).toBe(503);
    expect(h.body.unwell).toEqual(["outbox"]);
    expect(h.body.parts.outbox?.reason).toMatch(/oldest due notice has waited \d+ s/);

    await deliverOutbox(database.db, mail, { from: "DCC <d@example.test>", maxAttempts: 3 });
    h = await health();
    expect(h.body.unwell).toEqual(["mail"]);
    expect(h.body.parts.mail?.reason).toMatch(/last send failed/);

    await database.close();
    h = await health();
    expect(h.body.unwell).toEqual(["database", "outbox", "mail"]);
    expect(h.body.parts.outbox?.reason).toMatch(/database is unwell/);
  });

  it("serves /metrics to loopback only when no token is set", async () => {
    const database = await openDatabase({ kind: "pglite", dataDir: null });
    try {
      for (const [address, status] of [
        ["127.0.0.1", 200],
        ["::1", 200],
        ["::ffff:127.0.0.1", 200],
        ["10.0.0.7", 403],
        ["::ffff:10.0.0.7", 403],
        [null, 403],
      ] as const) {
        const obs = createObserver({
          db: database.db,
          databaseKind: "pglite",
          mail: { kind: "eml", dir: "/nonexistent" },
          metricsToken: null,
          addressOf: () => address,
        });
        const r = await obs.routes.request("/metrics");
        expect([address, r.status]).toEqual([address, status]);
        if (status === 200) expect(await r.text()).toContain("central_outbox_pending 0");
      }
    } finally {
      await database.close();
    }
  });

  it("shows each dock's outbox as it reported it (unsent events, oldest recorded), ignoring a malformed report", async () => {
    const database = await openDatabase({ kind: "pglite", dataDir: null });
    try {
      const obs = createObserver({
        db: database.db,
        databaseKind: "pglite",
        mail: { kind: "eml", dir: "/nonexistent" },
        metricsToken: null,
        addressOf: () => "127.0.0.1",
      });
      const metrics = async () => (await (await obs.routes.request("/metrics")).text()).split("\n");
      obs.contact("DOCK-A", dockOutboxHeader({ unsent: 42, oldestUnsentAt: 1_790_000_000_000 }));
      obs.contact("DOCK-B", "0;-");
      expect(await metrics()).toEqual(
        expect.arrayContaining([
          'central_dock_unsent_events{dock="DOCK-A"} 42',
          'central_dock_oldest_unsent_timestamp_seconds{dock="DOCK-A"} 1790000000',
          'central_dock_unsent_events{dock="DOCK-B"} 0',
          'central_dock_oldest_unsent_timestamp_seconds{dock="DOCK-B"} 0',
        ]),
      );
      // Garbage or no report: the last good figures stay, the contact still counts.
      for (const bad of ["x", "-1;5", "5;-", "1;" + "9".repeat(30), undefined]) obs.contact("DOCK-A", bad);
      expect(await metrics()).toContain('central_dock_unsent_events{dock="DOCK-A"} 42');
      // Drained: the next pull says so.
      obs.contact("DOCK-A", "0;-");
      expect(await metrics()).toContain('central_dock_unsent_events{dock="DOCK-A"} 0');
    } finally {
      await database.close();
    }
  });
});
