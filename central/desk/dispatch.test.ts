import { afterAll, beforeAll, describe, expect, it } from "vitest";
import ExcelJS from "exceljs";
import { createApp } from "../app";
import { openTestWorld, testBackends, type TestWorld } from "../test-support";
import { DEFAULT_SIGN_IN_POLICY, hashPassword, type SignInPolicy } from "../services/people";
import { loadBooking } from "../services/bookings";
import { bookingHubs, type Booking } from "../../shared/domain/booking";
import { DISPATCH_COLUMNS } from "../../shared/domain/dispatch-document";
import { PullResponseSchema } from "../../shared/sync";
import { deskDb } from "./schema";
import { signIn } from "./test-session";

const FAST: SignInPolicy = { ...DEFAULT_SIGN_IN_POLICY, cost: { log2N: 10, r: 8, p: 1 } };
const upload = (fileName: string, bytes: Buffer) => ({ fileName, contentBase64: bytes.toString("base64") });

describe.each(testBackends())("the dispatch document on %s", (backend) => {
  let w: TestWorld;
  let app: ReturnType<typeof createApp>;
  let booking: Booking;
  let party: Awaited<ReturnType<typeof signIn>>;
  let other: Awaited<ReturnType<typeof signIn>>;
  const password = "party password 123";

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
    const hash = await hashPassword(password, FAST.cost);
    const otherParty = booking.partyId === "SUPPLIER-A" ? "SUPPLIER-B" : "SUPPLIER-A";
    await deskDb(w.database.db)
      .insertInto("people")
      .values([
        {
          id: "P-1",
          email: "own@party.example",
          name: "Own",
          role: "party-user",
          party_id: booking.partyId,
          password_hash: hash,
        },
        {
          id: "P-2",
          email: "other@party.example",
          name: "Other",
          role: "party-user",
          party_id: otherParty,
          password_hash: hash,
        },
      ])
      .execute();
    party = await signIn(app, "own@party.example", password);
    other = await signIn(app, "other@party.example", password);
  });
  afterAll(async () => w?.close());

  const palletRows = (b: Booking) =>
    b.pallets.flatMap((p, i) =>
      bookingHubs(b)
        .filter((h) => h.palletSscc === p.sscc)
        .map((h) => [p.sscc, `PARTY-PAL-${i + 1}`, h.hub.deviceId]),
    );
  const pull = async () => {
    const r = await w.call("POST", "/sync/pull", { token: w.tokens.docks["DOCK-N1"], body: { cursor: "0" } });
    expect(r.status).toBe(200);
    return PullResponseSchema.parse(r.json);
  };

  it("takes an uploaded XLSX dispatch document for the booking, and the dock pulls which pallet holds which hubs", async () => {
    const before = (await pull()).bookings.find((b) => b.bookingRef === booking.bookingRef);
    expect(before?.dispatch).toBeUndefined();
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("Dispatch");
    ws.addRow([...DISPATCH_COLUMNS]);
    for (const r of palletRows(booking)) ws.addRow(r);
    const file = Buffer.from(await wb.xlsx.writeBuffer());
    const r = await party("POST", `/portal/bookings/${booking.bookingRef}/dispatch`, {
      sentAt: "2026-12-01T07:45:00+00:00",
      partySignifier: "DESPATCH 2026/118",
      file: upload("dispatch.xlsx", file),
    });
    expect(r.status).toBe(201);
    const hubs = bookingHubs(booking).filter((h) => h.palletSscc !== null).length;
    expect(r.json).toMatchObject({
      bookingRef: booking.bookingRef,
      sentAt: "2026-12-01T07:45:00+00:00",
      partySignifier: "DESPATCH 2026/118",
      check: { notListed: 0 },
    });
    expect((r.json.pallets as unknown[]).length).toBe(booking.pallets.length);

    const pulled = (await pull()).bookings.find((b) => b.bookingRef === booking.bookingRef);
    expect(pulled?.dispatch?.partySignifier).toBe("DESPATCH 2026/118");
    expect(pulled?.dispatch?.sentAt).toBe("2026-12-01T07:45:00.000Z");
    expect(pulled?.dispatch?.pallets.reduce((n, p) => n + p.deviceIds.length, 0)).toBe(hubs);
    const first = booking.pallets[0];
    expect(pulled?.dispatch?.pallets.find((p) => p.sscc === first?.sscc)?.palletId).toBe("PARTY-PAL-1");
    expect((await party("GET", `/portal/bookings/${booking.bookingRef}/dispatch`)).json).toMatchObject({
      partySignifier: "DESPATCH 2026/118",
    });
  });

  it("entered on the page: a hub on the wrong pallet or not on the booking is refused with every reason, nothing stored", async () => {
    const [p1, p2] = booking.pallets;
    if (!p1 || !p2) throw new Error("the demo booking has two pallets");
    const onP2 = bookingHubs(booking).find((h) => h.palletSscc === p2.sscc)?.hub.deviceId ?? "";
    const r = await party("POST", `/portal/bookings/${booking.bookingRef}/dispatch`, {
      sentAt: "2026-12-02T07:45:00Z",
      partySignifier: "D-119",
      pallets: [{ sscc: p1.sscc, palletId: "X1", deviceIds: [onP2, "00-11-22-33-44-55-66-77"] }],
    });
    expect(r.status).toBe(422);
    expect(r.json).toMatchObject({
      error: "does-not-match-booking",
      problems: [
        `hub ${onP2} is booked on pallet ${p2.sscc}, not on pallet ${p1.sscc}`,
        `hub 00-11-22-33-44-55-66-77 is not on booking ${booking.bookingRef}`,
      ],
    });
    const stored = await w.database.db
      .selectFrom("dispatch_documents")
      .select("party_signifier")
      .where("booking_ref", "=", booking.bookingRef)
      .executeTakeFirstOrThrow();
    expect(stored.party_signifier).toBe("DESPATCH 2026/118");
  });

  it("refuses a bad file with its rows, a formula, both or neither of file and pallets, and another Party's booking", async () => {
    const rows = palletRows(booking);
    const csv = (lines: string[][]) => Buffer.from(lines.map((l) => l.join(",")).join("\r\n"));
    const bad = await party("POST", `/portal/bookings/${booking.bookingRef}/dispatch`, {
      sentAt: "2026-12-02T07:45:00Z",
      partySignifier: "D-120",
      file: upload("d.csv", csv([[...DISPATCH_COLUMNS], rows[0] ?? [], ["=1+1", "P", rows[1]?.[2] ?? ""]])),
    });
    expect(bad).toMatchObject({
      status: 422,
      json: { error: "bad-rows", problems: [{ line: 3, reason: expect.stringMatching(/formula/) }] },
    });
    expect(
      (
        await party("POST", `/portal/bookings/${booking.bookingRef}/dispatch`, {
          sentAt: "2026-12-02T07:45:00Z",
          partySignifier: "D-120",
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await party("POST", `/portal/bookings/${booking.bookingRef}/dispatch`, {
          sentAt: "yesterday",
          partySignifier: "D-120",
          file: upload("d.csv", csv([[...DISPATCH_COLUMNS], ...rows])),
        })
      ).json,
    ).toMatchObject({ error: "bad-dispatch", reason: expect.stringMatching(/ISO 8601/) });
    const foreign = await other("POST", `/portal/bookings/${booking.bookingRef}/dispatch`, {
      sentAt: "2026-12-02T07:45:00Z",
      partySignifier: "D-121",
      file: upload("d.csv", csv([[...DISPATCH_COLUMNS], ...rows])),
    });
    expect(foreign.status).toBe(404);
    expect((await other("GET", `/portal/bookings/${booking.bookingRef}/dispatch`)).status).toBe(404);
    const stored = await w.database.db
      .selectFrom("dispatch_documents")
      .select("party_signifier")
      .where("booking_ref", "=", booking.bookingRef)
      .executeTakeFirstOrThrow();
    expect(stored.party_signifier).toBe("DESPATCH 2026/118");
  });
});
