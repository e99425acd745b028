import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../app";
import { openTestWorld, testBackends, type TestWorld } from "../test-support";
import { DEFAULT_SIGN_IN_POLICY, hashPassword, type SignInPolicy } from "../services/people";
import { loadBooking } from "../services/bookings";
import { hubsOf, scanEvent } from "../demo-events";
import { PullResponseSchema, PushResponseSchema } from "../../shared/sync";
import type { Booking } from "../../shared/domain/booking";
import { deskDb } from "./schema";
import { signIn, type DeskCall } from "./test-session";

const FAST: SignInPolicy = { ...DEFAULT_SIGN_IN_POLICY, cost: { log2N: 10, r: 8, p: 1 } };

describe.each(testBackends())("Work Orders cancelled and closed at the desk on %s", (backend) => {
  let w: TestWorld;
  let app: ReturnType<typeof createApp>;
  let booking: Booking;
  let ops: DeskCall;
  let party: DeskCall;

  beforeAll(async () => {
    w = await openTestWorld(backend);
    app = createApp({
      db: w.database.db,
      business: w.business,
      signingKey: w.key,
      mail: { kind: "eml", dir: w.mailDir },
      databaseKind: backend,
      desk: { policy: FAST, deskDist: null },
    });
    const b = await loadBooking(w.database.db, w.bookingRef);
    if (!b) throw new Error("the demo booking");
    booking = b;
    const hash = await hashPassword("a long test password", FAST.cost);
    await deskDb(w.database.db)
      .insertInto("people")
      .values([
        { id: "P-OPS", email: "ops@dcc.test", name: "Olu Ops", role: "dcc-ops", party_id: null, password_hash: hash },
        {
          id: "P-PARTY",
          email: "party@x.test",
          name: "Pat",
          role: "party-user",
          party_id: booking.partyId,
          password_hash: hash,
        },
      ])
      .execute();
    ops = await signIn(app, "ops@dcc.test", "a long test password");
    party = await signIn(app, "party@x.test", "a long test password");
  });
  afterAll(async () => w?.close());

  const notices = async (kind: string) =>
    w.database.db
      .selectFrom("outbox")
      .select(["to_address", "subject", "text_body"])
      .where("kind", "=", kind)
      .execute();

  it("cancels a Work Order with its reason: the booking is cancelled, pulled by the dock, refused for work, audited, and the Party told", async () => {
    const wo = booking.workOrderId;
    expect((await party("POST", `/ops/work-orders/${wo}/cancel`, { reason: "Party withdrew" })).status).toBe(403);
    expect((await ops("POST", `/ops/work-orders/${wo}/cancel`, { reason: "" })).status).toBe(400);
    expect((await ops("POST", `/ops/work-orders/${wo}/cancel`, {})).status).toBe(400);
    const r = await ops("POST", `/ops/work-orders/${wo}/cancel`, { reason: "The Party withdrew the request by phone" });
    expect(r).toMatchObject({ status: 200, json: { id: wo, status: "cancelled", bookings: [booking.bookingRef] } });

    const row = await w.database.db
      .selectFrom("work_orders")
      .select(["status", "status_reason"])
      .where("id", "=", wo)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: "cancelled", status_reason: "The Party withdrew the request by phone" });
    const list = (await ops("GET", "/ops/work-orders")).json as unknown as Array<{ id: string; statusReason: string }>;
    expect(list.find((x) => x.id === wo)?.statusReason).toBe("The Party withdrew the request by phone");

    // The dock pulls the booking cancelled, with why it may not be worked.
    const pull = PullResponseSchema.parse(
      (await w.call("POST", "/sync/pull", { token: w.tokens.docks["DOCK-N1"], body: { cursor: "0" } })).json,
    );
    const pulled = pull.bookings.find((b) => b.bookingRef === booking.bookingRef);
    expect(pulled?.status).toBe("cancelled");
    expect(pulled?.workBlocked).toBe(
      `its Work Order ${wo} was cancelled by the DCC (The Party withdrew the request by phone)`,
    );

    // Central refuses work on it.
    const first = hubsOf(booking)[0];
    if (!first) throw new Error("a hub");
    const push = PushResponseSchema.parse(
      (
        await w.call("POST", "/sync/push", {
          token: w.tokens.docks["DOCK-N1"],
          body: { events: [scanEvent({ dockId: "DOCK-N1", operatorId: "OP-N-RECV" }, booking.bookingRef, first)] },
        })
      ).json,
    );
    expect(push.rejected).toBe(1);
    expect(JSON.stringify(push.results[0])).toMatch(/cannot be worked: its Work Order .* was cancelled by the DCC/);

    // The Party is told why; the desk audit and the hub's timeline say who and why.
    const told = await notices("work-order-cancelled");
    expect(told).toHaveLength(1);
    expect(told[0]?.to_address).toBe(`returns@${booking.partyId.toLowerCase()}.example`);
    expect(told[0]?.text_body).toMatch(/Reason: The Party withdrew the request by phone/);
    const audit = await deskDb(w.database.db)
      .selectFrom("desk_audit")
      .select(["actor", "action"])
      .where("action", "=", "work-order.cancelled")
      .execute();
    expect(audit).toEqual([{ actor: "person:P-OPS", action: "work-order.cancelled" }]);
    const hub = await w.database.db
      .selectFrom("audit")
      .select("action")
      .where("device_id", "=", first.hub.deviceId)
      .where("action", "=", "work-order.cancelled")
      .execute();
    expect(hub).toHaveLength(1);

    // Once cancelled: not again, not approved, not closed.
    expect((await ops("POST", `/ops/work-orders/${wo}/cancel`, { reason: "again" })).json).toMatchObject({
      error: "work-order-state",
    });
    expect((await ops("POST", `/ops/work-orders/${wo}/approve`, { purchaseOrder: "PO-1" })).status).toBe(409);
    expect((await ops("POST", `/ops/work-orders/${wo}/close`, { reason: "x ok" })).status).toBe(409);
  });

  it("refuses to cancel once the hubs arrived, and closes a completed Work Order with its note to the Party", async () => {
    const wo = booking.workOrderId;
    await w.database.db
      .updateTable("work_orders")
      .set({ status: "goods-received", status_reason: null })
      .where("id", "=", wo)
      .execute();
    expect((await ops("POST", `/ops/work-orders/${wo}/cancel`, { reason: "too late" })).json).toMatchObject({
      error: "work-order-state",
      reason: expect.stringMatching(/only a raised or approved one can be cancelled/),
    });
    await w.database.db.updateTable("work_orders").set({ status: "completed" }).where("id", "=", wo).execute();
    const r = await ops("POST", `/ops/work-orders/${wo}/close`, { reason: "All hubs re-delivered and invoiced" });
    expect(r).toMatchObject({ status: 200, json: { id: wo, status: "closed" } });
    const told = await notices("work-order-closed");
    expect(told).toHaveLength(1);
    expect(told[0]?.text_body).toMatch(/Note: All hubs re-delivered and invoiced/);
  });
});
