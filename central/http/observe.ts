import { timingSafeEqual } from "node:crypto";
import { Hono, type Context } from "hono";
import { sql, type Kysely } from "kysely";
import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";
import type { Database } from "../db/schema";
import { DockOutboxReportSchema, type PushResponse } from "../../shared/sync";
import { mailHealthOf, type MailTarget } from "../services/outbox";
import type { AppEnv } from "./auth";
import { socketAddress, type AddressOf } from "./rate-limit";

/**
 * Watching central run: `GET /metrics` (Prometheus text format) and `GET /health` (which part
 * is unwell: database, outbox, mail).
 *
 * /metrics is loopback-only unless a scrape token is configured (CENTRAL_METRICS_TOKEN), and
 * then needs `Authorization: Bearer <that token>` from anywhere. Not a dock's or the DCC's
 * token: a scrape configuration is stored in plain text on the monitoring host, and the DCC
 * token can approve Work Orders and publish firmware. Loopback by default because central
 * itself listens on loopback by default; a Prometheus on another machine gets the token.
 * The figures are counts and ages, never a Party's data, but dock ids and the outbox depth
 * still say how busy each site is, so they are not public.
 *
 * Counters are per process (Prometheus sums them over the instances it scrapes); the outbox
 * figures are read from the database at each scrape, so every process reports the same.
 * A dock's last contact is what this process saw: `max by (dock)` over the instances. Each push
 * and pull carries the dock's own outbox report (shared/sync.ts `x-dock-outbox`): how many events
 * it still holds and when the oldest was recorded, as of that contact. A dock that cannot reach
 * central reports nothing, so its last contact is what ages; the dock's own alarm says so on screen.
 */

export interface ObserveOptions {
  db: Kysely<Database>;
  databaseKind: "pglite" | "postgres";
  mail: MailTarget;
  /** Bearer token a scraper must show; null: loopback callers only. */
  metricsToken: string | null;
  /** Node process figures (memory, file handles, event loop): on in main.ts, off in tests that build many apps. */
  processMetrics?: boolean;
  /** A due notice older than this makes the outbox unwell (default 15 minutes; deliveries run every 5 s). */
  outboxMaxDueAgeSeconds?: number;
  addressOf?: AddressOf;
}

export interface Observer {
  routes: Hono<AppEnv>;
  /** A dock was heard from (authenticated pull or push), with its outbox report header when it sent one. */
  contact(dockId: string, outboxHeader?: string): void;
  /** A push answered by applying it. */
  pushed(res: PushResponse): void;
  /** A push answered from the replay memory (the same bytes again; its events are not parsed, so not counted). */
  replayed(): void;
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;

export function createObserver(o: ObserveOptions): Observer {
  const registry = new Registry();
  if (o.processMetrics) collectDefaultMetrics({ register: registry, prefix: "central_" });
  const pushes = new Counter({
    name: "central_pushes_total",
    help: "Push requests answered, by how (applied, or replayed from memory)",
    labelNames: ["how"],
    registers: [registry],
  });
  const events = new Counter({
    name: "central_push_events_total",
    help: "Events in answered pushes, by result (accepted = applied, duplicate, rejected)",
    labelNames: ["result"],
    registers: [registry],
  });
  const lastContact = new Gauge({
    name: "central_dock_last_contact_timestamp_seconds",
    help: "When this process last served the dock an authenticated pull or push (Unix seconds)",
    labelNames: ["dock"],
    registers: [registry],
  });
  const dockUnsent = new Gauge({
    name: "central_dock_unsent_events",
    help: "Events the dock said it still held, at its last push or pull to this process",
    labelNames: ["dock"],
    registers: [registry],
  });
  const dockOldestUnsent = new Gauge({
    name: "central_dock_oldest_unsent_timestamp_seconds",
    help: "When the oldest event the dock still held was recorded, at its last push or pull to this process (Unix seconds; 0 when it held none)",
    labelNames: ["dock"],
    registers: [registry],
  });
  const maxDueAge = o.outboxMaxDueAgeSeconds ?? 15 * 60;

  const outboxFigures = async () => {
    const r = await o.db
      .selectFrom("outbox")
      .select([
        sql<string>`count(*) filter (where status = 'pending')`.as("pending"),
        sql<string>`count(*) filter (where status = 'pending' and next_attempt_at <= now())`.as("due"),
        sql<string>`count(*) filter (where status = 'failed')`.as("failed"),
        sql<
          string | null
        >`extract(epoch from now() - min(created_at) filter (where status = 'pending' and next_attempt_at <= now()))`.as(
          "oldest_due",
        ),
      ])
      .executeTakeFirstOrThrow();
    return {
      pending: Number(r.pending),
      due: Number(r.due),
      failed: Number(r.failed),
      oldestDueSeconds: r.oldest_due === null ? 0 : Math.max(0, Number(r.oldest_due)),
    };
  };

  const outboxGauge = (name: string, help: string, pick: (f: Awaited<ReturnType<typeof outboxFigures>>) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        this.set(pick(await outboxFigures()));
      },
    });
  outboxGauge("central_outbox_pending", "Notices not yet sent (due or waiting for a retry)", (f) => f.pending);
  outboxGauge("central_outbox_due", "Notices due to be sent now", (f) => f.due);
  outboxGauge("central_outbox_failed", "Notices given up after the last attempt", (f) => f.failed);
  outboxGauge(
    "central_outbox_oldest_due_age_seconds",
    "Age of the oldest notice that is due and unsent (0 when none)",
    (f) => f.oldestDueSeconds,
  );

  const routes = new Hono<AppEnv>();
  const addressOf = o.addressOf ?? socketAddress;

  routes.get("/metrics", async (c) => {
    if (!mayScrape(c, o.metricsToken, addressOf)) {
      return c.json(
        {
          error: "forbidden",
          reason:
            o.metricsToken === null
              ? "metrics are served to this machine only (set CENTRAL_METRICS_TOKEN to scrape from elsewhere)"
              : "send Authorization: Bearer <CENTRAL_METRICS_TOKEN>",
        },
        403,
      );
    }
    return c.body(await registry.metrics(), 200, { "content-type": registry.contentType });
  });

  routes.get("/health", async (c) => {
    const database = await check(async () => {
      await sql`select 1`.execute(o.db);
      return {};
    });
    const outbox = database.ok
      ? await check(async () => {
          const f = await outboxFigures();
          if (f.oldestDueSeconds > maxDueAge)
            throw new Error(
              `the oldest due notice has waited ${Math.round(f.oldestDueSeconds)} s (more than ${maxDueAge} s): delivery is not keeping up or not running`,
            );
          return f;
        })
      : { ok: false, reason: "not checked: the database is unwell" };
    const m = mailHealthOf(o.mail);
    const mailFailing = m.lastErrorAt !== null && (m.lastOkAt === null || m.lastErrorAt > m.lastOkAt);
    const mail = {
      ok: !mailFailing,
      ...(mailFailing ? { reason: `the last send failed: ${m.lastError ?? "unknown error"}` } : {}),
      target: o.mail.kind,
      lastOkAt: m.lastOkAt?.toISOString() ?? null,
      lastErrorAt: m.lastErrorAt?.toISOString() ?? null,
    };
    const ok = database.ok && outbox.ok && mail.ok;
    const unwell = [database.ok ? null : "database", outbox.ok ? null : "outbox", mail.ok ? null : "mail"].filter(
      (p) => p !== null,
    );
    return c.json(
      {
        ok,
        ...(ok ? {} : { unwell }),
        database: o.databaseKind,
        parts: { database, outbox, mail },
        serverTime: new Date().toISOString(),
      },
      ok ? 200 : 503,
    );
  });

  return {
    routes,
    contact: (dockId, outboxHeader) => {
      lastContact.set({ dock: dockId }, Date.now() / 1000);
      // Only a figure for watching: a missing or malformed report changes no gauge and refuses nothing.
      const report = DockOutboxReportSchema.safeParse(outboxHeader);
      if (!report.success) return;
      dockUnsent.set({ dock: dockId }, report.data.unsent);
      dockOldestUnsent.set({ dock: dockId }, (report.data.oldestUnsentAt ?? 0) / 1000);
    },
    pushed(res) {
      pushes.inc({ how: "applied" });
      events.inc({ result: "accepted" }, res.accepted);
      events.inc({ result: "duplicate" }, res.duplicate);
      events.inc({ result: "rejected" }, res.rejected);
    },
    replayed: () => pushes.inc({ how: "replayed" }),
  };
}

async function check(
  probe: () => Promise<object>,
): Promise<{ ok: boolean; reason?: string } & Record<string, unknown>> {
  try {
    return { ok: true, ...(await probe()) };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message.slice(0, 300) : String(e) };
  }
}

function mayScrape(c: Context, token: string | null, addressOf: AddressOf): boolean {
  if (token === null) return LOOPBACK.test(addressOf(c) ?? "");
  const m = /^Bearer (.+)$/.exec(c.req.header("authorization") ?? "");
  if (!m || m[1] === undefined) return false;
  const given = Buffer.from(m[1]);
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}
