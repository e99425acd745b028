import { sql, type Kysely } from "kysely";
import type { Database } from "../db/schema";
import type { BusinessConfig } from "../config";
import { ApiError } from "../http/api-error";
import { appendAudit } from "../services/audit";
import { recordChange } from "../services/changes";
import { enqueueNotice } from "../services/outbox";
import { deskAudit } from "../services/people";
import { deskDb } from "./schema";

/**
 * A Work Order cancelled or closed from the DCC desk (issue 19), with the reason given: in one
 * transaction the Work Order changes, its bookings follow (a cancelled Work Order's booking is
 * cancelled, pulled by its dock and refused for any work by admission), each hub's audit
 * timeline and the desk audit say who and why, and the Party is told by email.
 */

/** Statuses from which a Work Order may be cancelled: nothing has arrived at the facility yet. */
const CANCELLABLE = ["raised", "approved"];

const SIGN = "\n\n-- \nDCC Communications Hub Re-Flash service (SEC MP155)\n";

async function workOrderAndParty(db: Kysely<Database>, id: string) {
  const wo = await db
    .selectFrom("work_orders")
    .innerJoin("parties", "parties.id", "work_orders.party_id")
    .select([
      "work_orders.id",
      "work_orders.status",
      "work_orders.party_id",
      "work_orders.facility_id",
      "parties.email",
      "parties.name",
    ])
    .where("work_orders.id", "=", id)
    .forUpdate()
    .executeTakeFirst();
  if (!wo) throw new ApiError(404, "unknown-work-order", `no Work Order ${id}`);
  return wo;
}

export async function cancelWorkOrder(
  db: Kysely<Database>,
  business: BusinessConfig,
  id: string,
  reason: string,
  actor: string,
): Promise<{ id: string; status: "cancelled"; bookings: string[] }> {
  return db.transaction().execute(async (trx) => {
    const wo = await workOrderAndParty(trx, id);
    if (!CANCELLABLE.includes(wo.status))
      throw new ApiError(
        409,
        "work-order-state",
        `Work Order ${id} is ${wo.status}; only a raised or approved one can be cancelled (before its hubs arrive)`,
      );
    const bookings = await trx
      .selectFrom("bookings")
      .select(["booking_ref", "status", "facility_id"])
      .where("work_order_id", "=", id)
      .forUpdate()
      .execute();
    const arrived = bookings.find((b) => b.status !== "authorised" && b.status !== "cancelled");
    if (arrived)
      throw new ApiError(
        409,
        "work-order-state",
        `booking ${arrived.booking_ref} of Work Order ${id} is ${arrived.status}: its hubs are at the facility, so it cannot be cancelled`,
      );
    await trx
      .updateTable("work_orders")
      .set({ status: "cancelled", status_reason: reason, updated_at: sql<string>`now()` })
      .where("id", "=", id)
      .execute();
    const refs = bookings.map((b) => b.booking_ref);
    for (const b of bookings) {
      await trx
        .updateTable("bookings")
        .set({ status: "cancelled", version: sql<number>`version + 1`, updated_at: sql<string>`now()` })
        .where("booking_ref", "=", b.booking_ref)
        .execute();
      await recordChange(trx, "booking", b.booking_ref, b.facility_id);
    }
    if (refs.length > 0) {
      const hubs = await trx
        .selectFrom("booking_hubs")
        .select(["device_id", "booking_ref"])
        .where("booking_ref", "in", refs)
        .execute();
      await appendAudit(
        trx,
        hubs.map((h) => ({
          deviceId: h.device_id,
          actor,
          dockId: null,
          facilityId: wo.facility_id,
          action: "work-order.cancelled",
          detail: { workOrderId: id, bookingRef: h.booking_ref, reason },
        })),
      );
    }
    await deskAudit(deskDb(trx), actor, "work-order.cancelled", { id, reason, bookings: refs });
    await enqueueNotice(trx, {
      kind: "work-order-cancelled",
      to: wo.email,
      subject: `Work Order ${id} cancelled${refs.length > 0 ? ` (booking ${refs.join(", ")})` : ""}`,
      text:
        `The DCC has cancelled Work Order ${id}${refs.length > 0 ? ` and its booking ${refs.join(", ")}` : ""}.\n\n` +
        `Reason: ${reason}\n\n` +
        `Please do not send the delivery: the re-flash facility will not receive it. The hubs it listed may be requested again.\n\n` +
        `DCC contact: ${business.dccContact.name}, ${business.dccContact.email}, ${business.dccContact.phone}${SIGN}`,
    });
    return { id, status: "cancelled" as const, bookings: refs };
  });
}

export async function closeWorkOrder(
  db: Kysely<Database>,
  business: BusinessConfig,
  id: string,
  reason: string,
  actor: string,
): Promise<{ id: string; status: "closed" }> {
  return db.transaction().execute(async (trx) => {
    const wo = await workOrderAndParty(trx, id);
    if (wo.status !== "completed")
      throw new ApiError(
        409,
        "work-order-state",
        `Work Order ${id} is ${wo.status}; only a completed one can be closed`,
      );
    await trx
      .updateTable("work_orders")
      .set({ status: "closed", status_reason: reason, updated_at: sql<string>`now()` })
      .where("id", "=", id)
      .execute();
    await deskAudit(deskDb(trx), actor, "work-order.closed", { id, reason });
    await enqueueNotice(trx, {
      kind: "work-order-closed",
      to: wo.email,
      subject: `Work Order ${id} closed`,
      text:
        `The DCC has closed Work Order ${id}: its work is complete.\n\nNote: ${reason}\n\n` +
        `Your statement for the period lists its charges.\n\n` +
        `DCC contact: ${business.dccContact.name}, ${business.dccContact.email}, ${business.dccContact.phone}${SIGN}`,
    });
    return { id, status: "closed" as const };
  });
}
