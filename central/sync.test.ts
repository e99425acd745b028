import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PullResponseSchema, PushResponseSchema, firmwareSignedMessage } from "../shared/sync";
import { makeEvent } from "../shared/events";
import { newEventId } from "../shared/domain/ids";
import { loadBooking } from "./services/bookings";
import { verifyEntry } from "./services/firmware-catalogue";
import { hashToken } from "./http/auth";
import { hubsOf, scanEvent } from "./demo-events";
import { openTestWorld, testBackends, type TestWorld } from "./test-support";

describe.each(testBackends())("sync on %s", (backend) => {
  let w: TestWorld;
  let dock: string;
  const N = { dockId: "DOCK-N1", operatorId: "OP-N-RECV" };
  beforeAll(async () => {
    w = await openTestWorld(backend);
    dock = w.tokens.docks["DOCK-N1"] ?? "";
  });
  afterAll(async () => w?.close());

  const push = (events: unknown[], token = dock) => w.call("POST", "/sync/push", { token, body: { events } });
  const eventCount = async () =>
    Number(
      (
        await w.database.db
          .selectFrom("events")
          .select((eb) => eb.fn.countAll<string>().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it("pulls the facility's booking, signed catalogue and operators from cursor 0, with server time", async () => {
    const r = await w.call("POST", "/sync/pull", { token: dock, body: { cursor: "0" } });
    expect(r.status).toBe(200);
    const pull = PullResponseSchema.parse(r.json);
    expect(pull.bookings.map((b) => b.bookingRef)).toEqual([w.bookingRef]);
    expect(pull.bookings[0]?.pallets.length).toBe(2);
    expect(hubsOf(pull.bookings[0]!).length).toBe(1792);
    expect(pull.operators.map((o) => o.operatorId).sort()).toEqual(["OP-N-RECV", "OP-N-SUP", "OP-N-TECH"]);
    expect(Math.abs(Date.parse(pull.serverTime) - Date.now())).toBeLessThan(60_000);
    const key = pull.signingKeys[0]!;
    for (const f of pull.firmware) expect(verifyEntry(key.publicKeyPem, f)).toBe(true);
    // A tampered entry does not verify.
    const f0 = pull.firmware[0]!;
    expect(verifyEntry(key.publicKeyPem, { ...f0, sha256: "0".repeat(64) })).toBe(false);
    expect(firmwareSignedMessage(f0)).toContain(f0.sha256);
    // Nothing new since the returned cursor.
    const again = PullResponseSchema.parse(
      (await w.call("POST", "/sync/pull", { token: dock, body: { cursor: pull.cursor } })).json,
    );
    expect(again.bookings).toEqual([]);
    expect(again.cursor).toBe(pull.cursor);
  });

  it("pages with limit and `more`, and never shows another facility's booking", async () => {
    const first = PullResponseSchema.parse(
      (await w.call("POST", "/sync/pull", { token: dock, body: { cursor: "0", limit: 2 } })).json,
    );
    expect(first.more).toBe(true);
    let cursor = first.cursor;
    let pages = 1;
    for (;;) {
      const p = PullResponseSchema.parse(
        (await w.call("POST", "/sync/pull", { token: dock, body: { cursor, limit: 2 } })).json,
      );
      pages++;
      cursor = p.cursor;
      if (!p.more) break;
    }
    expect(pages).toBeGreaterThan(2);
    const cs = PullResponseSchema.parse(
      (await w.call("POST", "/sync/pull", { token: w.tokens.docks["DOCK-CS1"], body: { cursor: "0" } })).json,
    );
    expect(cs.bookings).toEqual([]);
    expect(cs.operators.every((o) => o.facilityId === "CS-3PL-1")).toBe(true);
    expect(cs.firmware.length).toBe(3);
  });

  it("accepts a batch, reports a replay as duplicates and changes nothing twice, in any order", async () => {
    const b = (await loadBooking(w.database.db, w.bookingRef))!;
    const events = hubsOf(b)
      .slice(0, 20)
      .map((h) => scanEvent(N, w.bookingRef, h));
    const r1 = PushResponseSchema.parse((await push(events)).json);
    expect(r1).toMatchObject({ accepted: 20, duplicate: 0, rejected: 0 });
    const before = await eventCount();
    const audit = await w.database.db
      .selectFrom("audit")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .executeTakeFirstOrThrow();
    const r2 = PushResponseSchema.parse((await push([...events].reverse())).json);
    expect(r2).toMatchObject({ accepted: 0, duplicate: 20, rejected: 0 });
    expect(await eventCount()).toBe(before);
    const audit2 = await w.database.db
      .selectFrom("audit")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .executeTakeFirstOrThrow();
    expect(audit2.n).toEqual(audit.n);
    // A replay whose keys come in another order is still the same event.
    const shuffled = events.slice(0, 3).map((e) => Object.fromEntries(Object.entries(e).reverse()));
    const r4 = PushResponseSchema.parse((await push(shuffled)).json);
    expect(r4).toMatchObject({ accepted: 0, duplicate: 3, rejected: 0 });
    // The same id twice inside one batch counts once.
    const e = scanEvent(N, w.bookingRef, hubsOf(b)[30]!);
    const r3 = PushResponseSchema.parse((await push([e, e])).json);
    expect(r3.results.map((x) => x.status)).toEqual(["accepted", "duplicate"]);
  });

  it("a batch with an id stored behind this process's back (another central, a restart) is retried the careful way", async () => {
    const b = (await loadBooking(w.database.db, w.bookingRef))!;
    const [stored, changed, fresh] = hubsOf(b)
      .slice(60, 63)
      .map((h) => scanEvent(N, w.bookingRef, h));
    // Written straight into the table, as another central process would: this one has never seen these ids.
    const row = (e: typeof stored, content: string) => ({
      id: e!.id,
      dock_id: "DOCK-N1",
      facility_id: "N-DOCK-1",
      type: e!.type,
      operator_id: e!.operatorId,
      occurred_at: e!.at,
      booking_ref: w.bookingRef,
      device_id: null,
      content_hash: createHash("sha256").update(content).digest("hex"),
      payload: content,
    });
    await w.database.db
      .insertInto("events")
      .values([row(stored, JSON.stringify(stored)), row(changed, "{}")])
      .execute();
    const before = await eventCount();
    const r = PushResponseSchema.parse((await push([fresh, stored, changed])).json);
    expect(r.results.map((x) => x.status)).toEqual(["accepted", "duplicate", "rejected"]);
    expect(r.results[2]).toMatchObject({ reason: expect.stringMatching(/already used for a different event/) });
    expect(await eventCount()).toBe(before + 1);
  });

  it("streams a batch of many slices into one COPY; a clash in its last slice still falls back the careful way", async () => {
    const b = (await loadBooking(w.database.db, w.bookingRef))!;
    const events = hubsOf(b)
      .slice(200, 600)
      .map((h) => scanEvent(N, w.bookingRef, h));
    const last = events[events.length - 1]!;
    // Stored behind this process's back, as another central would: the COPY meets it only at the end.
    await w.database.db
      .insertInto("events")
      .values({
        id: last.id,
        dock_id: "DOCK-N1",
        facility_id: "N-DOCK-1",
        type: last.type,
        operator_id: last.operatorId,
        occurred_at: last.at,
        booking_ref: w.bookingRef,
        device_id: null,
        content_hash: createHash("sha256").update(JSON.stringify(last)).digest("hex"),
        payload: JSON.stringify(last),
      })
      .execute();
    const before = await eventCount();
    const r = PushResponseSchema.parse((await push(events)).json);
    expect(r).toMatchObject({ accepted: 399, duplicate: 1, rejected: 0 });
    expect(r.results[399]).toMatchObject({ id: last.id, status: "duplicate" });
    expect(await eventCount()).toBe(before + 399);
    const first = await w.database.db
      .selectFrom("events")
      .select(["payload", "content_hash", "booking_ref", "device_id"])
      .where("id", "=", events[0]!.id)
      .executeTakeFirstOrThrow();
    expect(first).toEqual({
      payload: events[0],
      content_hash: createHash("sha256").update(JSON.stringify(events[0])).digest("hex"),
      booking_ref: w.bookingRef,
      device_id: events[0]!.type === "scan.recorded" ? events[0]!.payload.deviceId : null,
    });
  });

  it("an id used twice in one batch: an event refused does not claim it; a later different or broken event under a claimed id is refused as a reuse", async () => {
    const b = (await loadBooking(w.database.db, w.bookingRef))!;
    const hs = hubsOf(b);
    const a = scanEvent(N, w.bookingRef, hs[600]!);
    const x = scanEvent(N, w.bookingRef, hs[601]!);
    const stranger = { ...scanEvent({ dockId: "DOCK-N1", operatorId: "OP-NOBODY" }, w.bookingRef, hs[602]!), id: x.id };
    const changed = { ...scanEvent(N, w.bookingRef, hs[603]!), id: a.id };
    const broken = { ...a, payload: { ...a.payload, extra: 1 } };
    const r = PushResponseSchema.parse((await push([a, stranger, x, changed, broken, a])).json);
    expect(r.results.map((e) => e.status)).toEqual([
      "accepted",
      "rejected",
      "accepted",
      "rejected",
      "rejected",
      "duplicate",
    ]);
    const reasons = r.results.map((e) => (e.status === "rejected" ? e.reason : ""));
    expect(reasons[1]).toMatch(/OP-NOBODY is not registered/);
    expect(reasons[3]).toMatch(/already used for a different event/);
    expect(reasons[4]).toMatch(/already used for a different event/);
  });

  it("answers a byte-identical resend from memory, and checks a resend with one event changed event by event", async () => {
    const b = (await loadBooking(w.database.db, w.bookingRef))!;
    const events = hubsOf(b)
      .slice(70, 75)
      .map((h) => scanEvent(N, w.bookingRef, h));
    expect(PushResponseSchema.parse((await push(events)).json)).toMatchObject({
      accepted: 5,
      duplicate: 0,
      rejected: 0,
    });
    const before = await eventCount();
    const again = PushResponseSchema.parse((await push(events)).json);
    expect(again).toMatchObject({ accepted: 0, duplicate: 5, rejected: 0 });
    expect(again.results.map((x) => x.id)).toEqual(events.map((e) => e.id));
    const tampered = events.map((e, i) =>
      i === 3 ? { ...e, payload: { ...e.payload, reason: "changed after the fact" } } : e,
    );
    const r = PushResponseSchema.parse((await push(tampered)).json);
    expect(r.results.map((x) => x.status)).toEqual(["duplicate", "duplicate", "duplicate", "rejected", "duplicate"]);
    expect(await eventCount()).toBe(before);
  });

  it("stores free text with tabs, backslashes, quotes and line breaks exactly as sent", async () => {
    const b = (await loadBooking(w.database.db, w.bookingRef))!;
    const h = hubsOf(b)[80]!;
    const e = makeEvent(
      "scan.recorded",
      {
        bookingRef: w.bookingRef,
        source: "wedge",
        raw: 'a\tb\\c\nd\re "q" \\N é',
        kind: "hub",
        verdict: "expected",
        palletSscc: h.palletSscc,
        cartonSscc: h.cartonSscc,
        deviceId: h.hub.deviceId,
        sscc: null,
        otherBookingRef: null,
        reason: "tab\there, backslash \\ and\r\nnew line",
      },
      N,
    );
    expect(PushResponseSchema.parse((await push([e])).json)).toMatchObject({ accepted: 1 });
    const stored = await w.database.db
      .selectFrom("events")
      .select(["payload", "content_hash"])
      .where("id", "=", e.id)
      .executeTakeFirstOrThrow();
    expect(stored.payload).toEqual(e);
    expect(stored.content_hash).toBe(createHash("sha256").update(JSON.stringify(e)).digest("hex"));
    expect(
      PushResponseSchema.parse((await push([{ ...e }, scanEvent(N, w.bookingRef, hubsOf(b)[81]!)])).json).results.map(
        (x) => x.status,
      ),
    ).toEqual(["duplicate", "accepted"]);
  });

  it("rejects a poisoned event alone, with its reason, and stores the rest", async () => {
    const b = (await loadBooking(w.database.db, w.bookingRef))!;
    const good = hubsOf(b)
      .slice(40, 43)
      .map((h) => scanEvent(N, w.bookingRef, h));
    const badType = { ...good[0], id: newEventId(), type: "scan.exploded" };
    const badField = {
      ...good[1],
      id: newEventId(),
      payload: { ...(good[1] as { payload: object }).payload, extra: 1 },
    };
    const r = PushResponseSchema.parse(
      (await push([good[0], badType, "not an event", badField, good[1], good[2]])).json,
    );
    expect(r.results.map((x) => x.status)).toEqual([
      "accepted",
      "rejected",
      "rejected",
      "rejected",
      "accepted",
      "accepted",
    ]);
    const reasons = r.results.flatMap((x) => (x.status === "rejected" ? [x.reason] : []));
    expect(reasons[0]).toMatch(/unknown event type "scan.exploded"/);
    expect(reasons[1]).toMatch(/expected an object/);
    expect(reasons[2]).toMatch(/extra/);
  });

  it("rejects an event id reused for different content, a foreign dock's event, an unknown operator and a role it lacks", async () => {
    const b = (await loadBooking(w.database.db, w.bookingRef))!;
    const hs = hubsOf(b);
    const original = scanEvent(N, w.bookingRef, hs[50]!);
    await push([original]);
    const reused = { ...scanEvent(N, w.bookingRef, hs[51]!), id: original.id };
    const foreign = scanEvent({ dockId: "DOCK-CS1", operatorId: "OP-N-RECV" }, w.bookingRef, hs[52]!);
    const stranger = scanEvent({ dockId: "DOCK-N1", operatorId: "OP-NOBODY" }, w.bookingRef, hs[53]!);
    const techScan = scanEvent({ dockId: "DOCK-N1", operatorId: "OP-N-TECH" }, w.bookingRef, hs[54]!);
    const r = PushResponseSchema.parse((await push([reused, foreign, stranger, techScan])).json);
    const reasons = r.results.map((x) => (x.status === "rejected" ? x.reason : x.status));
    expect(reasons[0]).toMatch(/already used for a different event/);
    expect(reasons[1]).toMatch(/recorded by dock DOCK-CS1/);
    expect(reasons[2]).toMatch(/OP-NOBODY is not registered/);
    expect(reasons[3]).toMatch(/needs role receiver or supervisor; operator OP-N-TECH has technician/);
  });

  it("rejects events about a booking of another facility or unknown to central", async () => {
    const csToken = w.tokens.docks["DOCK-CS1"]!;
    const b = (await loadBooking(w.database.db, w.bookingRef))!;
    const e = scanEvent({ dockId: "DOCK-CS1", operatorId: "OP-CS-RECV" }, w.bookingRef, hubsOf(b)[0]!);
    const unknown = makeEvent(
      "booking.arrived",
      { bookingRef: "BK-NOPE-1", late: false, reportedEta: null },
      { dockId: "DOCK-CS1", operatorId: "OP-CS-RECV" },
    );
    const r = PushResponseSchema.parse((await push([e, unknown], csToken)).json);
    expect(r.results[0]).toMatchObject({
      status: "rejected",
      reason: expect.stringMatching(/belongs to facility N-DOCK-1/),
    });
    expect(r.results[1]).toMatchObject({ status: "rejected", reason: expect.stringMatching(/BK-NOPE-1 is unknown/) });
  });

  it("updates the booking status from arrival events and docks pull the new version", async () => {
    const p0 = PullResponseSchema.parse(
      (await w.call("POST", "/sync/pull", { token: dock, body: { cursor: "0" } })).json,
    );
    const arrived = makeEvent("booking.arrived", { bookingRef: w.bookingRef, late: false, reportedEta: null }, N);
    expect(PushResponseSchema.parse((await push([arrived])).json).accepted).toBe(1);
    const p1 = PullResponseSchema.parse(
      (await w.call("POST", "/sync/pull", { token: dock, body: { cursor: p0.cursor } })).json,
    );
    expect(p1.bookings[0]).toMatchObject({
      bookingRef: w.bookingRef,
      status: "arrived",
      version: (p0.bookings[0]?.version ?? 0) + 1,
    });
  });

  describe("bad input changes nothing", () => {
    it.each([
      ["no token", null, undefined, 401, /Bearer/],
      ["unknown token", "x".repeat(43), undefined, 401, /unknown token/],
      ["party token on a dock endpoint", "party", undefined, 403, /dock tokens/],
    ])("%s", async (_n, token, _b, status, reason) => {
      const t = token === "party" ? w.tokens.parties["SUPPLIER-A"] : token;
      const before = await eventCount();
      const r = await w.call("POST", "/sync/push", {
        token: t,
        body: { events: [scanEvent(N, w.bookingRef, hubsOf((await loadBooking(w.database.db, w.bookingRef))!)[99]!)] },
      });
      expect(r.status).toBe(status);
      expect((r.json as { reason: string }).reason).toMatch(reason);
      expect(await eventCount()).toBe(before);
    });

    it("a revoked (replayed) token is refused with the reason", async () => {
      await w.database.db
        .insertInto("api_tokens")
        .values({
          token_hash: hashToken("revoked-token-0123456789abc"),
          kind: "dock",
          subject_id: "DOCK-N1",
          revoked_at: new Date().toISOString(),
        })
        .execute();
      const r = await w.call("POST", "/sync/pull", { token: "revoked-token-0123456789abc", body: { cursor: "0" } });
      expect(r.status).toBe(401);
      expect(r.json).toMatchObject({ error: "token-revoked" });
    });

    it.each([
      ["/sync/push", '{"events": [', 400, "malformed-json"],
      ["/sync/pull", '{"cursor": 5}', 400, "invalid-body"],
      ["/sync/pull", '{"cursor": "0", "admin": true}', 400, "invalid-body"],
      ["/sync/pull", '{"cursor": "0; drop table events"}', 400, "invalid-body"],
      ["/sync/push", '{"events": []}', 400, "invalid-body"],
      ["/sync/push", "[]", 400, "invalid-body"],
      ["/sync/pull", '{"cursor": "0", "limit": 100000}', 400, "invalid-body"],
    ])("%s %s -> %i %s", async (path, raw, status, code) => {
      const before = await eventCount();
      const r = await w.call("POST", path, { token: dock, rawBody: raw });
      expect(r.status).toBe(status);
      expect(r.json).toMatchObject({ error: code });
      expect((r.json as { reason: string }).reason.length).toBeGreaterThan(5);
      expect(await eventCount()).toBe(before);
    });

    it("refuses a body that is not JSON-typed, and an oversize body", async () => {
      const r1 = await w.call("POST", "/sync/pull", {
        token: dock,
        rawBody: "cursor=0",
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
      expect(r1.status).toBe(415);
      const big = JSON.stringify({ events: [{ pad: "x".repeat(w.business.maxBodyBytes) }] });
      const r2 = await w.call("POST", "/sync/push", { token: dock, rawBody: big });
      expect(r2.status).toBe(413);
      expect(r2.json).toMatchObject({ error: "body-too-large" });
    });

    it("a batch over the size limit is refused whole", async () => {
      const r = await w.call("POST", "/sync/push", { token: dock, body: { events: new Array(2001).fill({}) } });
      expect(r.status).toBe(400);
      expect((r.json as { reason: string }).reason).toMatch(/events/);
    });
  });

  it("reserves ASN numbers only for a supervisor, each one new", async () => {
    const body = { manifestId: "MF-0001", partyId: "SUPPLIER-A" };
    const none = await w.call("POST", "/sync/asn-numbers", { token: dock, body });
    expect(none.status).toBe(403);
    expect(none.json).toMatchObject({ error: "operator-required" });
    const recv = await w.call("POST", "/sync/asn-numbers", {
      token: dock,
      body,
      headers: { "x-operator-id": "OP-N-RECV" },
    });
    expect(recv.status).toBe(403);
    expect((recv.json as { reason: string }).reason).toMatch(/needs role supervisor/);
    const other = await w.call("POST", "/sync/asn-numbers", {
      token: dock,
      body,
      headers: { "x-operator-id": "OP-CS-SUP" },
    });
    expect(other.status).toBe(403);
    const a = await w.call("POST", "/sync/asn-numbers", {
      token: dock,
      body,
      headers: { "x-operator-id": "OP-N-SUP" },
    });
    const b = await w.call("POST", "/sync/asn-numbers", {
      token: dock,
      body,
      headers: { "x-operator-id": "OP-N-SUP" },
    });
    expect(a.status).toBe(201);
    expect((a.json as { asnNumber: string }).asnNumber).not.toBe((b.json as { asnNumber: string }).asnNumber);
    const bad = await w.call("POST", "/sync/asn-numbers", {
      token: dock,
      body: { manifestId: "mf 1", partyId: "X" },
      headers: { "x-operator-id": "OP-N-SUP" },
    });
    expect(bad.status).toBe(400);
  });
});
