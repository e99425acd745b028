import { sql, type Kysely } from "kysely";
import type { Database } from "../db/schema";
import { recordChange } from "./changes";

/** A Work Order's lifecycle, in order; it only moves forward. */
export const WORK_ORDER_STATUSES = [
  "raised",
  "approved",
  "goods-received",
  "in-progress",
  "completed",
  "closed",
] as const;
export type WorkOrderStatus = (typeof WORK_ORDER_STATUSES)[number];

const rank = (s: string) => WORK_ORDER_STATUSES.indexOf(s as WorkOrderStatus);

/** Moves a Work Order forward to `to` (never back); returns whether it moved. */
export async function advanceWorkOrder(
  db: Kysely<Database>,
  workOrderId: string,
  to: WorkOrderStatus,
  purchaseOrder?: string,
): Promise<boolean> {
  const wo = await db
    .selectFrom("work_orders")
    .select(["status"])
    .where("id", "=", workOrderId)
    .forUpdate()
    .executeTakeFirst();
  // A cancelled Work Order (from the desk) stays cancelled: nothing moves it on.
  if (!wo || wo.status === "cancelled" || rank(wo.status) >= rank(to)) return false;
  await db
    .updateTable("work_orders")
    .set({
      status: to,
      updated_at: sql<string>`now()`,
      ...(purchaseOrder !== undefined ? { purchase_order: purchaseOrder } : {}),
    })
    .where("id", "=", workOrderId)
    .execute();
  // A purchase order may unblock its bookings (PIA 6.2.2): their docks learn it on their next pull.
  if (purchaseOrder !== undefined)
    for (const b of await db
      .selectFrom("bookings")
      .select(["booking_ref", "facility_id"])
      .where("work_order_id", "=", workOrderId)
      .execute())
      await recordChange(db, "booking", b.booking_ref, b.facility_id);
  return true;
}

/** Advances the Work Orders behind these bookings. */
export async function advanceWorkOrdersOfBookings(
  db: Kysely<Database>,
  bookingRefs: readonly string[],
  to: WorkOrderStatus,
): Promise<void> {
  if (bookingRefs.length === 0) return;
  const rows = await db
    .selectFrom("bookings")
    .select("work_order_id")
    .distinct()
    .where("booking_ref", "in", bookingRefs)
    .execute();
  for (const r of rows) await advanceWorkOrder(db, r.work_order_id, to);
}
