import type { Kysely } from "kysely";
import type { Database } from "../db/schema";
import type { PullResponse, SyncOperator } from "../../shared/sync";
import { loadBookings, loadRedeliveries } from "./bookings";
import { listFirmware, listSigningKeys } from "./firmware-catalogue";
import { workOrderBlock } from "./admission";
import { PinHashSchema } from "../../shared/domain/operator-pin";
import { loadDispatchDocuments } from "../desk/dispatch";

/**
 * Everything changed for a facility since `cursor`: current state of each changed record
 * (a record changed twice is sent once), the last change seen as the new cursor, and `more`
 * when the page was full.
 */
export async function pullChanges(
  db: Kysely<Database>,
  facilityId: string,
  cursor: number,
  limit: number,
  purchaseOrderRequired: readonly string[] = [],
): Promise<PullResponse> {
  const rows = await db
    .selectFrom("changes")
    .select(["seq", "kind", "key"])
    .where("seq", ">", cursor)
    .where((eb) => eb.or([eb("facility_id", "=", facilityId), eb("facility_id", "is", null)]))
    .orderBy("seq")
    .limit(limit)
    .execute();
  const bookingRefs = new Set<string>();
  const firmwareKeys = new Map<string, { deviceModel: string; version: string }>();
  const operatorIds = new Set<string>();
  for (const r of rows) {
    if (r.kind === "booking") bookingRefs.add(r.key);
    else if (r.kind === "operator") operatorIds.add(r.key);
    else {
      const [deviceModel = "", version = ""] = r.key.split("/");
      firmwareKeys.set(r.key, { deviceModel, version });
    }
  }
  const refs = [...bookingRefs];
  const [bookings, firmware, operators, redeliveryAmendments, signingKeys] = await Promise.all([
    loadBookings(db, refs, facilityId),
    listFirmware(db, [...firmwareKeys.values()]),
    loadOperators(db, facilityId, [...operatorIds]),
    loadRedeliveries(db, refs),
    listSigningKeys(db),
  ]);
  // The purchase order gate (PIA 6.2.2), as admission applies it: the dock shows why and refuses to start.
  if (bookings.length > 0) {
    const wos = await db
      .selectFrom("work_orders")
      .select(["id", "csp", "purchase_order", "status", "status_reason"])
      .where(
        "id",
        "in",
        bookings.map((b) => b.workOrderId),
      )
      .execute();
    const byId = new Map(wos.map((w) => [w.id, w]));
    for (const b of bookings) {
      const wo = byId.get(b.workOrderId);
      b.workBlocked = wo
        ? workOrderBlock(
            {
              id: wo.id,
              csp: wo.csp,
              purchaseOrder: wo.purchase_order,
              status: wo.status,
              statusReason: wo.status_reason,
            },
            purchaseOrderRequired,
          )
        : null;
    }
  }
  // The Party's dispatch document (Req 4): which pallet holds which hubs, as the Party sent them.
  if (bookings.length > 0) {
    const docs = await loadDispatchDocuments(
      db,
      bookings.map((b) => b.bookingRef),
    );
    for (const b of bookings) {
      const d = docs.get(b.bookingRef);
      if (d) b.dispatch = d;
    }
  }
  const last = rows[rows.length - 1];
  return {
    serverTime: new Date().toISOString(),
    cursor: String(last === undefined ? cursor : Number(last.seq)),
    more: rows.length === limit,
    bookings,
    firmware,
    operators,
    redeliveryAmendments,
    signingKeys,
  };
}

async function loadOperators(db: Kysely<Database>, facilityId: string, ids: string[]): Promise<SyncOperator[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom("operators")
    .selectAll()
    .where("id", "in", ids)
    .where("facility_id", "=", facilityId)
    .orderBy("id")
    .execute();
  return rows.map((r) => ({
    operatorId: r.id,
    name: r.name,
    facilityId: r.facility_id,
    roles: r.roles as SyncOperator["roles"],
    active: r.active,
    pinHash: r.pin_hash === null ? null : PinHashSchema.parse(r.pin_hash),
  }));
}
