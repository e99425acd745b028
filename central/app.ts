import { Hono, type Context } from "hono";
import { streamSSE } from "hono/streaming";
import { bodyLimit } from "hono/body-limit";
import { sql, type Kysely } from "kysely";
import { z } from "zod";
import type { Database } from "./db/schema";
import type { BusinessConfig } from "./config";
import { BookingRefSchema, DeviceIdSchema, DeviceModelSchema, HexFirmwareSchema } from "../shared/domain/booking";
import { encodeBookingLabel } from "../shared/domain/labels";
import {
  DOCK_OUTBOX_HEADER,
  MAX_PULL_LIMIT,
  PullRequestSchema,
  PushRequestSchema,
  type AsnBlockResponse,
} from "../shared/sync";
import {
  ApproveWorkOrderSchema,
  AsnBlockReserveSchema,
  AsnReserveSchema,
  FirmwarePutSchema,
  ForecastSchema,
  IdSchema,
  LateArrivalSchema,
  RedeliveryAmendSchema,
  ReflashRequestSchema,
  SsmiUploadSchema,
  StatementQuerySchema,
} from "./api-schemas";
import { ApiError } from "./http/api-error";
import { fallbackCentralLogger, requestLogging, type Logger } from "./log";
import { firmwareImageRoutes } from "./routes/firmware-images";
import { corsFor, dockOrigins, type OriginPolicy } from "./http/cors-policy";
import { rateLimiter, type AddressOf } from "./http/rate-limit";
import { createObserver } from "./http/observe";
import { backupRoutes } from "./backup";
import { authenticate, requireKind, requireOperator, type AppEnv, type Principal } from "./http/auth";
import { bodyText, parseJsonBody, parseOrThrow, readBody, readBodyBytes } from "./http/body";
import { hubHistory } from "./services/audit";
import { loadBooking } from "./services/bookings";
import { partyStatement } from "./services/charges";
import {
  latestProduction,
  listFirmware,
  putFirmware,
  withdrawFirmware,
  type SigningKeyFile,
} from "./services/firmware-catalogue";
import { pushBody, pushBodyKey, replayedBatch } from "./services/ingest";
import { deliverOutbox, recentNotices, type MailTarget } from "./services/outbox";
import { amendRedelivery, reportLateArrival, submitForecast } from "./services/party-actions";
import { pullChanges } from "./services/pull";
import { PokeHub, type PokeHubOptions } from "./services/pokes";
import { submitRequest } from "./services/requests";
import { buildSsmiFile, emitCspmN3, smiChecksOf, uploadSsmiFile } from "./services/smi-update";
import { SmiStatusRequestSchema, type SmiStatusResponse } from "../shared/domain/smi-before-dispatch";
import { manifestHubs } from "../shared/domain/manifest";
import { ManifestBuiltPayload } from "../shared/events";
import { advanceWorkOrder } from "./services/work-orders";
import { deskRoutes, type DeskDeps } from "./desk/routes";
import { enrolRoutes } from "./desk/enrolment";

export interface CentralDeps {
  db: Kysely<Database>;
  business: BusinessConfig;
  /** The catalogue signing key; null when this central cannot sign new entries. */
  signingKey: SigningKeyFile | null;
  mail: MailTarget;
  databaseKind: "pglite" | "postgres";
  /** Browser origins allowed to read central's answers (default: loopback pages and the Electron app). */
  allowOrigin?: OriginPolicy;
  /** The caller's address for the per-address rate limits (default: the socket's; tests in-process name one). */
  addressOf?: AddressOf;
  /** The desk for people (sign-in by session cookie): its built web app, sign-in policy and public origin. */
  desk?: Omit<DeskDeps, "db" | "business" | "mail" | "signingKey" | "firmwareImagesDir">;
  /** Central's log (./log.ts); warnings only, on stderr, when not given. */
  logger?: Logger;
  /** Where firmware images are (`<data>/firmware`): docks download them (./routes/firmware-images.ts). */
  firmwareImagesDir?: string;
  /** Bearer token for GET /metrics; without it /metrics answers loopback callers only (http/observe.ts). */
  metricsToken?: string | null;
  /** Node process figures in /metrics (main.ts; off in tests, which build many apps). */
  processMetrics?: boolean;
  /** PGlite only: the folder's consistent tarball, served at GET /backup to the DCC (backup.ts). */
  dumpDataDir?: () => Promise<Blob>;
  /** Central's TLS certificate chain (PEM) when it serves HTTPS itself: docks pin it at enrolment (desk/enrolment.ts). */
  tlsCertPem?: string | null;
  /** Timing of the docks' change pokes (GET /sync/poke; services/pokes.ts); defaults in production. */
  pokes?: PokeHubOptions & { heartbeatMs?: number };
}

/** The central service's HTTP API (Hono). Every body is validated; every refusal says why. */
export function createApp(deps: CentralDeps): Hono<AppEnv> {
  const { db, business } = deps;
  const app = new Hono<AppEnv>();

  app.onError((err, c) => {
    if (err instanceof ApiError) {
      for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
      // The rest of an oversize body is never read: say the connection closes rather than keep it alive and drop it.
      if (err.status === 413) c.header("connection", "close");
      return c.json(err.body(), err.status);
    }
    (deps.logger ?? fallbackCentralLogger()).error({ err, reqId: c.get("requestId") }, "central: unexpected error");
    return c.json(
      { error: "internal", reason: "central failed to handle the request; it changed nothing that was not committed" },
      500,
    );
  });
  app.notFound((c) => c.json({ error: "not-found", reason: `no endpoint ${c.req.method} ${c.req.path}` }, 404));

  app.use("*", ...requestLogging(deps.logger));
  // Before authentication: a browser's preflight carries no token.
  app.use("*", corsFor(deps.allowOrigin ?? dockOrigins));
  app.use(
    "*",
    bodyLimit({
      maxSize: business.maxBodyBytes,
      onError: () => {
        throw new ApiError(413, "body-too-large", `the body exceeds ${business.maxBodyBytes} bytes`);
      },
    }),
  );

  // GET /health (which part is unwell) and GET /metrics (Prometheus), before authentication.
  const observer = createObserver({
    db,
    databaseKind: deps.databaseKind,
    mail: deps.mail,
    metricsToken: deps.metricsToken ?? null,
    processMetrics: deps.processMetrics ?? false,
    ...(deps.addressOf ? { addressOf: deps.addressOf } : {}),
  });
  app.route("/", observer.routes);

  const limiter = rateLimiter(business.rateLimit, deps.addressOf);
  app.use("*", limiter.requests);
  // Before the bearer tokens: the desk signs people in by session cookie (central/desk/routes.ts).
  app.route(
    "/desk",
    deskRoutes({
      db,
      business,
      mail: deps.mail,
      signingKey: deps.signingKey,
      firmwareImagesDir: deps.firmwareImagesDir ?? null,
      failedSignIn: limiter.failedAuth,
      ...deps.desk,
    }),
  );
  app.route(
    "/enrol",
    enrolRoutes(
      db,
      {
        publisherKeyPem: deps.signingKey?.publicKeyPem ?? null,
        centralCertPem: deps.tlsCertPem ?? null,
      },
      limiter.failedAuth,
    ),
  );

  app.use("*", authenticate(db, limiter.failedAuth));
  app.route("/", backupRoutes(deps.dumpDataDir));

  // ------------------------------------------------------------ sync (docks)
  app.post("/sync/pull", async (c) => {
    const dock = requireKind(c, "dock");
    observer.contact(dock.dockId, c.req.header(DOCK_OUTBOX_HEADER));
    const body = await readBody(c, PullRequestSchema);
    return c.json(
      await pullChanges(
        db,
        dock.facilityId,
        Number(body.cursor),
        body.limit ?? Math.min(100, MAX_PULL_LIMIT),
        business.purchaseOrderRequired,
      ),
    );
  });

  // Server push: a dock holds this stream open (with its bearer token, as for the other /sync
  // routes) and pulls at once on each `poke` event; one poke on opening covers what changed
  // while it was not listening. Comments every heartbeatMs keep proxies from closing it.
  const pokes = new PokeHub(db, deps.pokes);
  const heartbeatMs = deps.pokes?.heartbeatMs ?? 25_000;
  app.get("/sync/poke", (c) => {
    const dock = requireKind(c, "dock");
    observer.contact(dock.dockId);
    return streamSSE(c, async (stream) => {
      let poked = true;
      let wake: (() => void) | null = null;
      const unsubscribe = pokes.subscribe(dock.facilityId, () => {
        poked = true;
        wake?.();
      });
      stream.onAbort(() => wake?.());
      try {
        while (!stream.aborted && !stream.closed) {
          if (poked) {
            poked = false;
            await stream.writeSSE({ event: "poke", data: "" });
          } else await stream.write(": keep-alive\n\n");
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, heartbeatMs);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wake = null;
        }
      } finally {
        unsubscribe();
      }
    });
  });

  app.post("/sync/push", async (c) => {
    const dock = requireKind(c, "dock");
    observer.contact(dock.dockId, c.req.header(DOCK_OUTBOX_HEADER));
    const bytes = await readBodyBytes(c);
    // A dock resending a batch whose answer it lost sends the same bytes: answered without decoding or parsing them.
    const key = pushBodyKey(dock, bytes);
    const replay = replayedBatch(db, key);
    if (replay !== null) {
      observer.replayed();
      return c.body(replay, 200, { "content-type": "application/json" });
    }
    const body = parseJsonBody(bodyText(bytes), PushRequestSchema);
    const res = await pushBody(db, dock, key, body.events, business);
    observer.pushed(res);
    return c.json(res);
  });

  app.post("/sync/asn-numbers", async (c) => {
    const dock = requireKind(c, "dock");
    const operatorId = await requireOperator(db, c, dock.facilityId, ["supervisor"], "reserving an ASN number");
    const body = await readBody(c, z.union([AsnBlockReserveSchema, AsnReserveSchema]));
    if ("count" in body) {
      // A block for this dock to issue from, offline too: each number is new for good.
      const rows = await db
        .selectFrom(
          sql<{ n: string }>`(select nextval('asn_numbers') as n from generate_series(1, ${body.count}))`.as("s"),
        )
        .select("s.n")
        .execute();
      const asnNumbers = rows.map((r) => `ASN-${String(r.n).padStart(8, "0")}`);
      await db
        .insertInto("asn_blocks")
        .values(asnNumbers.map((asn_number) => ({ asn_number, dock_id: dock.dockId, reserved_by: operatorId })))
        .execute();
      const out: AsnBlockResponse = { asnNumbers, serverTime: new Date().toISOString() };
      return c.json(out, 201);
    }
    // Checked before the sequence is touched: a number handed out is gone for good.
    const party = await db.selectFrom("parties").select("id").where("id", "=", body.partyId).executeTakeFirst();
    if (!party)
      throw new ApiError(
        422,
        "unknown-party",
        `party ${body.partyId} is not known to central; no ASN number was reserved`,
      );
    // The sequence never hands a number out twice, even when the transaction rolls back.
    const row = await db
      .selectNoFrom((eb) => eb.fn<string>("nextval", [eb.val("asn_numbers")]).as("n"))
      .executeTakeFirstOrThrow();
    const asnNumber = `ASN-${String(row.n).padStart(8, "0")}`;
    await db
      .insertInto("asns")
      .values({
        asn_number: asnNumber,
        manifest_id: body.manifestId,
        party_id: body.partyId,
        status: "reserved",
        reserved_by: `${dock.dockId}/${operatorId}`,
        content: JSON.stringify({}),
      })
      .execute();
    return c.json({ asnNumber, serverTime: new Date().toISOString() }, 201);
  });

  // Req 10 before dispatch: the SMI update state of each hub of one of this facility's manifests.
  app.post("/sync/smi-status", async (c) => {
    const dock = requireKind(c, "dock");
    const body = await readBody(c, SmiStatusRequestSchema);
    const row = await db
      .selectFrom("manifests")
      .select(["facility_id", "doc"])
      .where("manifest_id", "=", body.manifestId)
      .executeTakeFirst();
    if (!row || row.facility_id !== dock.facilityId)
      throw new ApiError(
        404,
        "unknown-manifest",
        `manifest ${body.manifestId} has not reached central from this facility yet; let the dock sync, then check again`,
      );
    const doc = ManifestBuiltPayload.safeParse(typeof row.doc === "string" ? JSON.parse(row.doc) : row.doc);
    if (!doc.success)
      throw new ApiError(500, "bad-manifest", `manifest ${body.manifestId} is stored in a form central cannot read`);
    const out: SmiStatusResponse = {
      manifestId: body.manifestId,
      hubs: await smiChecksOf(db, manifestHubs(doc.data)),
      serverTime: new Date().toISOString(),
    };
    return c.json(out);
  });

  // ------------------------------------------------------------ requests, bookings (Parties)
  app.post("/requests", async (c) => {
    const party = requireKind(c, "party");
    const body = await readBody(c, ReflashRequestSchema);
    return c.json(await submitRequest(db, party.partyId, body, business), 201);
  });

  app.get("/requests/:id", async (c) => {
    const p = requireKind(c, "party", "dcc");
    const id = parseOrThrow(IdSchema, c.req.param("id"), "invalid-path");
    const r = await db
      .selectFrom("requests")
      .select(["id", "party_id", "status", "reasons", "hub_reasons", "created_at"])
      .where("id", "=", id)
      .executeTakeFirst();
    if (!r || (p.kind === "party" && r.party_id !== p.partyId))
      throw new ApiError(404, "unknown-request", `no request ${id}`);
    return c.json({
      requestId: r.id,
      partyId: r.party_id,
      status: r.status,
      reasons: [...(r.reasons as unknown[]), ...(r.hub_reasons as unknown[])],
      createdAt: new Date(r.created_at).toISOString(),
    });
  });

  const visibleBooking = async (c: Context<AppEnv>, ref: string) => {
    const b = await loadBooking(db, ref);
    const p: Principal = c.get("principal");
    const visible =
      b !== null &&
      (p.kind === "dcc" ||
        (p.kind === "party" && b.partyId === p.partyId) ||
        (p.kind === "dock" && b.facilityId === p.facilityId));
    if (!b || !visible) throw new ApiError(404, "unknown-booking", `no booking ${ref} visible to this token`);
    return b;
  };

  app.get("/bookings/:ref", async (c) =>
    c.json(await visibleBooking(c, parseOrThrow(BookingRefSchema, c.req.param("ref"), "invalid-path"))),
  );

  app.get("/bookings/:ref/label", async (c) => {
    const b = await visibleBooking(c, parseOrThrow(BookingRefSchema, c.req.param("ref"), "invalid-path"));
    const label = encodeBookingLabel({ bookingRef: b.bookingRef, deliveryRef: b.deliveryRef });
    if (!label.ok) throw new ApiError(500, "label", label.reason);
    return c.json({
      kind: "booking-label",
      bookingRef: b.bookingRef,
      deliveryRef: b.deliveryRef,
      deliveryDate: b.deliveryDate,
      deliveryWindow: b.deliveryWindow,
      deliveryLocation: b.deliveryLocation,
      scan: label.scan,
      hri: label.hri,
      elements: label.elements,
    });
  });

  app.post("/bookings/:ref/late-arrival", async (c) => {
    const party = requireKind(c, "party");
    const ref = parseOrThrow(BookingRefSchema, c.req.param("ref"), "invalid-path");
    const body = await readBody(c, LateArrivalSchema);
    return c.json(await reportLateArrival(db, business, party.partyId, ref, body));
  });

  app.post("/bookings/:ref/redelivery", async (c) => {
    const party = requireKind(c, "party");
    const ref = parseOrThrow(BookingRefSchema, c.req.param("ref"), "invalid-path");
    const body = await readBody(c, RedeliveryAmendSchema);
    return c.json(await amendRedelivery(db, business, party.partyId, ref, body));
  });

  app.get("/receipts/:ref", async (c) => {
    const b = await visibleBooking(c, parseOrThrow(BookingRefSchema, c.req.param("ref"), "invalid-path"));
    const r = await db
      .selectFrom("receipt_outcomes")
      .selectAll()
      .where("booking_ref", "=", b.bookingRef)
      .executeTakeFirst();
    if (!r) throw new ApiError(404, "no-receipt", `booking ${b.bookingRef} has no closed receipt yet`);
    return c.json({
      bookingRef: r.booking_ref,
      outcome: r.outcome,
      detail: r.detail,
      eventId: r.event_id,
      at: new Date(r.at).toISOString(),
    });
  });

  app.post("/forecasts", async (c) => {
    const party = requireKind(c, "party");
    const body = await readBody(c, ForecastSchema);
    await submitForecast(db, party.partyId, body);
    return c.json({ partyId: party.partyId, ...body }, 201);
  });

  app.get("/forecasts", async (c) => {
    requireKind(c, "dcc");
    const rows = await db.selectFrom("forecasts").selectAll().orderBy("period_start").orderBy("party_id").execute();
    return c.json(
      rows.map((r) => ({
        partyId: r.party_id,
        periodStart: r.period_start,
        hubs: r.hubs,
        submittedAt: new Date(r.submitted_at).toISOString(),
      })),
    );
  });

  app.get("/parties/:id/statement", async (c) => {
    const p = requireKind(c, "party", "dcc");
    const id = parseOrThrow(IdSchema, c.req.param("id"), "invalid-path");
    if (p.kind === "party" && p.partyId !== id)
      throw new ApiError(403, "forbidden", `a Party sees only its own statement`);
    const q = parseOrThrow(StatementQuerySchema, c.req.query(), "invalid-query");
    if (q.from > q.to) throw new ApiError(400, "invalid-query", `from ${q.from} is after to ${q.to}`);
    return c.json(await partyStatement(db, business, id, q.from, q.to));
  });

  // ------------------------------------------------------------ work orders
  app.get("/work-orders", async (c) => {
    const p = c.get("principal");
    let q = db.selectFrom("work_orders").selectAll().orderBy("created_at", "desc").limit(500);
    if (p.kind === "dock") q = q.where("facility_id", "=", p.facilityId);
    if (p.kind === "party") q = q.where("party_id", "=", p.partyId);
    return c.json((await q.execute()).map(workOrderJson));
  });

  app.get("/work-orders/:id", async (c) => {
    const id = parseOrThrow(IdSchema, c.req.param("id"), "invalid-path");
    const wo = await db.selectFrom("work_orders").selectAll().where("id", "=", id).executeTakeFirst();
    const p = c.get("principal");
    if (
      !wo ||
      (p.kind === "dock" && wo.facility_id !== p.facilityId) ||
      (p.kind === "party" && wo.party_id !== p.partyId)
    )
      throw new ApiError(404, "unknown-work-order", `no work order ${id}`);
    const links = await db
      .selectFrom("work_order_links")
      .select(["kind", "ref"])
      .where("work_order_id", "=", id)
      .orderBy("kind")
      .orderBy("ref")
      .execute();
    return c.json({ ...workOrderJson(wo), links });
  });

  app.post("/work-orders/:id/approve", async (c) => {
    requireKind(c, "dcc");
    const id = parseOrThrow(IdSchema, c.req.param("id"), "invalid-path");
    const body = await readBody(c, ApproveWorkOrderSchema);
    const wo = await db.selectFrom("work_orders").select("status").where("id", "=", id).executeTakeFirst();
    if (!wo) throw new ApiError(404, "unknown-work-order", `no work order ${id}`);
    if (wo.status !== "raised")
      throw new ApiError(
        409,
        "work-order-state",
        `work order ${id} is ${wo.status}; only a raised one can be approved`,
      );
    await db.transaction().execute((trx) => advanceWorkOrder(trx, id, "approved", body.purchaseOrder));
    return c.json({ id, status: "approved", purchaseOrder: body.purchaseOrder });
  });

  app.post("/work-orders/:id/close", async (c) => {
    requireKind(c, "dcc");
    const id = parseOrThrow(IdSchema, c.req.param("id"), "invalid-path");
    const wo = await db.selectFrom("work_orders").select("status").where("id", "=", id).executeTakeFirst();
    if (!wo) throw new ApiError(404, "unknown-work-order", `no work order ${id}`);
    if (wo.status !== "completed")
      throw new ApiError(
        409,
        "work-order-state",
        `work order ${id} is ${wo.status}; only a completed one can be closed`,
      );
    await advanceWorkOrder(db, id, "closed");
    return c.json({ id, status: "closed" });
  });

  // ------------------------------------------------------------ firmware catalogue
  app.get("/firmware", async (c) => c.json(await listFirmware(db)));
  if (deps.firmwareImagesDir !== undefined) app.route("/", firmwareImageRoutes(db, deps.firmwareImagesDir));

  app.get("/firmware/:model/latest", async (c) => {
    const model = parseOrThrow(DeviceModelSchema, c.req.param("model"), "invalid-path");
    const e = await latestProduction(db, model);
    if (!e) throw new ApiError(404, "no-production-firmware", `no production firmware for model ${model}`);
    return c.json(e);
  });

  app.put("/firmware", async (c) => {
    requireKind(c, "dcc");
    const body = await readBody(c, FirmwarePutSchema);
    if (!deps.signingKey)
      throw new ApiError(
        503,
        "no-signing-key",
        "central has no catalogue signing key configured (run the seed, or set CENTRAL_SIGNING_KEY)",
      );
    const key = deps.signingKey;
    return c.json(await db.transaction().execute((trx) => putFirmware(trx, key, body)), 201);
  });

  app.post("/firmware/:model/:version/withdraw", async (c) => {
    requireKind(c, "dcc");
    const model = parseOrThrow(DeviceModelSchema, c.req.param("model"), "invalid-path");
    const version = parseOrThrow(HexFirmwareSchema, c.req.param("version"), "invalid-path");
    const ok = await db.transaction().execute((trx) => withdrawFirmware(trx, model, version));
    if (!ok) throw new ApiError(404, "unknown-firmware", `no firmware ${version} for model ${model}`);
    return c.json({ deviceModel: model, version, status: "withdrawn" });
  });

  // ------------------------------------------------------------ hubs, audit
  app.get("/hubs/:deviceId/audit", async (c) => {
    const p = requireKind(c, "dcc", "dock");
    const deviceId = parseOrThrow(DeviceIdSchema, c.req.param("deviceId"), "invalid-path");
    const entries = await hubHistory(db, deviceId, p.kind === "dock" ? p.facilityId : undefined);
    return c.json({ deviceId, entries });
  });

  app.get("/hubs/:deviceId", async (c) => {
    requireKind(c, "dcc");
    const deviceId = parseOrThrow(DeviceIdSchema, c.req.param("deviceId"), "invalid-path");
    const inventory = await db.selectFrom("inventory").selectAll().where("device_id", "=", deviceId).executeTakeFirst();
    if (!inventory) throw new ApiError(404, "unknown-hub", `${deviceId} is not in the SMI mirror`);
    const [flashResults, faultReports, credit, bookings] = await Promise.all([
      db.selectFrom("flash_results").selectAll().where("device_id", "=", deviceId).orderBy("at").execute(),
      db.selectFrom("fault_reports").selectAll().where("device_id", "=", deviceId).orderBy("id").execute(),
      db.selectFrom("credits").selectAll().where("device_id", "=", deviceId).executeTakeFirst(),
      db.selectFrom("booking_hubs").select("booking_ref").where("device_id", "=", deviceId).execute(),
    ]);
    return c.json({
      inventory,
      bookings: bookings.map((b) => b.booking_ref),
      flashResults,
      faultReports,
      credit: credit ?? null,
    });
  });

  // ------------------------------------------------------------ SMI update (Req 10)
  app.post("/smi/cspm-n3", async (c) => {
    requireKind(c, "dcc");
    return c.json(await emitCspmN3(db));
  });
  app.get("/smi/ssmi-file", async (c) => {
    requireKind(c, "dcc");
    const { file, held } = await buildSsmiFile(db);
    // Rows the upload would refuse are held back (they would block every other row), counted here and listed at /smi/ssmi-held.
    return c.body(file, 200, { "content-type": "text/csv; charset=utf-8", "x-ssmi-held": String(held.length) });
  });
  app.get("/smi/ssmi-held", async (c) => {
    requireKind(c, "dcc");
    return c.json((await buildSsmiFile(db)).held);
  });
  app.post("/smi/ssmi-upload", async (c) => {
    requireKind(c, "dcc");
    const body = await readBody(c, SsmiUploadSchema);
    const r = await uploadSsmiFile(db, body.file);
    return r.badRows.length > 0
      ? c.json(
          { error: "bad-rows", reason: `${r.badRows.length} row(s) refused; nothing was applied`, badRows: r.badRows },
          422,
        )
      : c.json(r);
  });

  // ------------------------------------------------------------ ASNs and outbox
  app.get("/asns/:number", async (c) => {
    const p = requireKind(c, "dcc", "party");
    const n = parseOrThrow(
      z.string().regex(/^[A-Z0-9-]{4,40}$/, "ASN number is 4-40 of A-Z, 0-9, -"),
      c.req.param("number"),
      "invalid-path",
    );
    const a = await db.selectFrom("asns").selectAll().where("asn_number", "=", n).executeTakeFirst();
    if (!a || (p.kind === "party" && a.party_id !== p.partyId)) throw new ApiError(404, "unknown-asn", `no ASN ${n}`);
    return c.json({
      asnNumber: a.asn_number,
      manifestId: a.manifest_id,
      partyId: a.party_id,
      status: a.status,
      content: a.content,
    });
  });

  app.get("/outbox", async (c) => {
    requireKind(c, "dcc");
    return c.json(await recentNotices(db, 500));
  });

  app.post("/outbox/deliver", async (c) => {
    requireKind(c, "dcc");
    return c.json(
      await deliverOutbox(db, deps.mail, { from: business.mailFrom, maxAttempts: business.mailMaxAttempts }),
    );
  });

  return app;
}

function workOrderJson(w: {
  id: string;
  request_id: string;
  party_id: string;
  csp: string;
  facility_id: string;
  status: string;
  purchase_order: string | null;
  created_at: Date;
  updated_at: Date;
}) {
  return {
    id: w.id,
    requestId: w.request_id,
    partyId: w.party_id,
    csp: w.csp,
    facilityId: w.facility_id,
    status: w.status,
    purchaseOrder: w.purchase_order,
    createdAt: new Date(w.created_at).toISOString(),
    updatedAt: new Date(w.updated_at).toISOString(),
  };
}
