import { Hono } from "hono";
import type { Kysely } from "kysely";
import type { Database } from "../db/schema";
import type { BusinessConfig } from "../config";
import { ApiError } from "../http/api-error";
import { readBody } from "../http/body";
import { ApproveWorkOrderSchema } from "../api-schemas";
import { advanceWorkOrder } from "../services/work-orders";
import { deliverOutbox, recentNotices, type MailTarget } from "../services/outbox";
import { deskAudit } from "../services/people";
import { hubHistory } from "../services/audit";
import { parseDeviceId } from "../../shared/domain/device-id";
import {
  DeskIdSchema,
  WorkOrderReasonSchema,
  type OpsEmailIntakeRow,
  type OpsHub,
  type OpsRequestRow,
  type OpsWorkOrderRow,
} from "../../shared/desk-api";
import { deskDb } from "./schema";
import { cancelWorkOrder, closeWorkOrder } from "./work-order-actions";
import { needRole, type DeskEnv } from "./session";

/**
 * The DCC's operations at the desk (admins and operations staff): requests with every reason,
 * Work Orders approved against a purchase order and closed, a hub with its whole history, and
 * the email outbox. Each change
 * goes through the same service as the bearer-token API and is audited.
 */
export function operationsRoutes(deps: {
  db: Kysely<Database>;
  business: BusinessConfig;
  mail: MailTarget | null;
}): Hono<DeskEnv> {
  const { db } = deps;
  const desk = deskDb(db);
  const ops = new Hono<DeskEnv>();
  const staff = (c: Parameters<typeof needRole>[0]) => needRole(c, "dcc-admin", "dcc-ops");
  const idOf = (raw: string | undefined) => {
    const r = DeskIdSchema.safeParse(raw);
    if (!r.success) throw new ApiError(400, "invalid-path", "that is not a Work Order id");
    return r.data;
  };

  ops.get("/requests", async (c) => {
    staff(c);
    const rows = await db
      .selectFrom("requests")
      .select(["id", "party_id", "facility_id", "delivery_date", "status", "reasons", "hub_reasons", "created_at"])
      .orderBy("created_at", "desc")
      .limit(200)
      .execute();
    return c.json(
      rows.map((r): OpsRequestRow => ({
        requestId: r.id,
        partyId: r.party_id,
        facilityId: r.facility_id,
        deliveryDate: r.delivery_date,
        status: r.status,
        createdAt: new Date(r.created_at).toISOString(),
        reasons: [...(r.reasons as OpsRequestRow["reasons"]), ...(r.hub_reasons as OpsRequestRow["reasons"])],
      })),
    );
  });

  /** The request mailbox: every message received, newest first, with its answer. */
  ops.get("/email-intake", async (c) => {
    staff(c);
    const rows = await db.selectFrom("email_intake").selectAll().orderBy("received_at", "desc").limit(200).execute();
    return c.json(
      rows.map((r): OpsEmailIntakeRow => ({
        messageId: r.message_id,
        sender: r.sender,
        partyId: r.party_id,
        subject: r.subject,
        outcome: r.outcome,
        requestId: r.request_id,
        reasons: r.reasons,
        receivedAt: new Date(r.received_at).toISOString(),
      })),
    );
  });

  ops.get("/work-orders", async (c) => {
    staff(c);
    const rows = await db
      .selectFrom("work_orders")
      .leftJoin("bookings", "bookings.work_order_id", "work_orders.id")
      .select([
        "work_orders.id",
        "work_orders.request_id",
        "work_orders.party_id",
        "work_orders.csp",
        "work_orders.facility_id",
        "work_orders.status",
        "work_orders.purchase_order",
        "work_orders.updated_at",
        "work_orders.status_reason",
        "bookings.booking_ref",
        "bookings.hub_count",
      ])
      .orderBy("work_orders.created_at", "desc")
      .limit(200)
      .execute();
    return c.json(
      rows.map((r): OpsWorkOrderRow => ({
        id: r.id,
        requestId: r.request_id,
        partyId: r.party_id,
        csp: r.csp,
        facilityId: r.facility_id,
        status: r.status,
        purchaseOrder: r.purchase_order,
        bookingRef: r.booking_ref,
        hubs: r.hub_count,
        updatedAt: new Date(r.updated_at).toISOString(),
        statusReason: r.status_reason,
      })),
    );
  });

  ops.post("/work-orders/:id/approve", async (c) => {
    const p = staff(c);
    const id = idOf(c.req.param("id"));
    const body = await readBody(c, ApproveWorkOrderSchema);
    await db.transaction().execute(async (trx) => {
      const wo = await trx
        .selectFrom("work_orders")
        .select("status")
        .where("id", "=", id)
        .forUpdate()
        .executeTakeFirst();
      if (!wo) throw new ApiError(404, "unknown-work-order", `no Work Order ${id}`);
      if (wo.status !== "raised")
        throw new ApiError(
          409,
          "work-order-state",
          `Work Order ${id} is ${wo.status}; only a raised one can be approved`,
        );
      await advanceWorkOrder(trx, id, "approved", body.purchaseOrder);
      await deskAudit(deskDb(trx), `person:${p.personId}`, "work-order.approved", {
        id,
        purchaseOrder: body.purchaseOrder,
      });
    });
    return c.json({ id, status: "approved", purchaseOrder: body.purchaseOrder });
  });

  ops.post("/work-orders/:id/close", async (c) => {
    const p = staff(c);
    const id = idOf(c.req.param("id"));
    const body = await readBody(c, WorkOrderReasonSchema);
    return c.json(await closeWorkOrder(db, deps.business, id, body.reason, `person:${p.personId}`));
  });

  /** Cancel before the hubs arrive, with the reason: its booking is cancelled and the Party told. */
  ops.post("/work-orders/:id/cancel", async (c) => {
    const p = staff(c);
    const id = idOf(c.req.param("id"));
    const body = await readBody(c, WorkOrderReasonSchema);
    return c.json(await cancelWorkOrder(db, deps.business, id, body.reason, `person:${p.personId}`));
  });

  /** One hub: its SMI record, its bookings and its whole history (dock events and central's audit, oldest first). */
  ops.get("/hubs/:deviceId", async (c) => {
    staff(c);
    const id = parseDeviceId(decodeURIComponent(c.req.param("deviceId")));
    if (!id.ok) throw new ApiError(400, "invalid-device-id", `that is not a hub Device ID: ${id.reason}`);
    const inv = await db.selectFrom("inventory").selectAll().where("device_id", "=", id.deviceId).executeTakeFirst();
    if (!inv) throw new ApiError(404, "unknown-hub", `${id.deviceId} is not in the SMI mirror`);
    const [bookings, timeline] = await Promise.all([
      db
        .selectFrom("booking_hubs")
        .select("booking_ref")
        .where("device_id", "=", id.deviceId)
        .orderBy("booking_ref")
        .execute(),
      hubHistory(db, id.deviceId),
    ]);
    const hub: OpsHub = {
      deviceId: id.deviceId,
      inventory: {
        gpfDeviceId: inv.gpf_device_id,
        deviceType: inv.device_type,
        manufacturer: inv.manufacturer,
        deviceModel: inv.device_model,
        firmwareVersion: inv.firmware_version,
        smiStatus: inv.smi_status,
        assignedParty: inv.assigned_party,
        cspRegion: inv.csp_region,
        updatedAt: new Date(inv.updated_at).toISOString(),
      },
      bookings: bookings.map((b) => b.booking_ref),
      timeline,
    };
    return c.json(hub);
  });

  ops.get("/outbox", async (c) => {
    staff(c);
    return c.json(await recentNotices(db, 200));
  });

  /** A notice that failed for good goes back in the queue: its tries start again; central sends it within seconds. */
  ops.post("/outbox/:id/resend", async (c) => {
    const p = staff(c);
    const id = Number(c.req.param("id"));
    if (!Number.isInteger(id) || id <= 0) throw new ApiError(400, "invalid-path", "that is not a notice number");
    const row = await db.selectFrom("outbox").select(["status"]).where("id", "=", id).executeTakeFirst();
    if (!row) throw new ApiError(404, "unknown-notice", `no notice ${id}`);
    if (row.status !== "failed")
      throw new ApiError(409, "notice-state", `notice ${id} is ${row.status}; only a failed one is sent again`);
    await db.transaction().execute(async (trx) => {
      await trx
        .updateTable("outbox")
        .set({ status: "pending", attempts: 0, next_attempt_at: new Date().toISOString() })
        .where("id", "=", id)
        .execute();
      await deskAudit(deskDb(trx), `person:${p.personId}`, "outbox.resend", { id });
    });
    return c.json({ id, status: "pending" });
  });

  ops.post("/outbox/deliver", async (c) => {
    const p = staff(c);
    if (deps.mail === null) throw new ApiError(503, "no-mail", "central has no mail target configured");
    const report = await deliverOutbox(db, deps.mail, {
      from: deps.business.mailFrom,
      maxAttempts: deps.business.mailMaxAttempts,
    });
    await deskAudit(desk, `person:${p.personId}`, "outbox.delivered", { ...report });
    return c.json(report);
  });

  return ops;
}
