import { createHash } from "node:crypto";
import type { Insertable, Kysely } from "kysely";
import type { Database, InventoryTable } from "./db/schema";
import { DEMO_FACILITY, DEMO_PARTIES, demoBooking, demoBookings } from "../shared/domain/demo-booking";
import type { Booking } from "../shared/domain/booking";
import { hashToken, newToken } from "./http/auth";
import { insertBooking } from "./services/bookings";
import { recordChange } from "./services/changes";
import { putFirmware, type SigningKeyFile } from "./services/firmware-catalogue";
import { DEFAULT_BUSINESS_CONFIG } from "./config";
import { addDays, workingHoursProblem } from "./services/working-time";

/**
 * The demo world the seed command creates: three Parties, a CSP North dock and a Central &
 * South 3PL dock, 3 jigs, operators with each role, a signed firmware catalogue, and a
 * booking of 1,792 hubs on 2 pallets (from shared/domain/demo-booking). Tokens are random and
 * returned once: only their hashes are stored.
 */

export const DEMO_DOCKS = [
  { id: "DOCK-N1", facilityId: DEMO_FACILITY.North, name: "CSP North receiving PC" },
  { id: "DOCK-CS1", facilityId: DEMO_FACILITY.CentralSouth, name: "Central & South 3PL receiving PC" },
] as const;

/**
 * The demo operators and their PINs (printed by `npm start`). The hashes are computed once
 * (PBKDF2-SHA256, 600,000 iterations) and kept here so seeding costs nothing;
 * demo-world.test.ts checks each one against its PIN.
 */
export const DEMO_OPERATORS = [
  {
    id: "OP-N-RECV",
    name: "Rita Receiver",
    facilityId: DEMO_FACILITY.North,
    roles: ["receiver"],
    pin: "1001",
    pinHash: {
      alg: "pbkdf2-sha256",
      iterations: 600_000,
      salt: "rBcqGMYhGLxgrzpFKHGnyA==",
      hash: "HU7eVAdkk4QaFm+V76cNGQZXlqnvyBUHB+VMAt991Vg=",
    },
  },
  {
    id: "OP-N-TECH",
    name: "Tariq Technician",
    facilityId: DEMO_FACILITY.North,
    roles: ["technician"],
    pin: "1002",
    pinHash: {
      alg: "pbkdf2-sha256",
      iterations: 600_000,
      salt: "AhIKfoUhQQLi3BmexvWY/A==",
      hash: "BUh+6kj4lzepvAxBcD4w7Tx91trJM/1O5nRSNXPAGP4=",
    },
  },
  {
    id: "OP-N-SUP",
    name: "Sam Supervisor",
    facilityId: DEMO_FACILITY.North,
    roles: ["supervisor", "receiver", "technician"],
    pin: "1003",
    pinHash: {
      alg: "pbkdf2-sha256",
      iterations: 600_000,
      salt: "ZpjJnrAS8BxQ7edwckvjRg==",
      hash: "CkVQqqy2/kzjlxYcwhXJc6bMTv26J8YWhXgRe8aUgHI=",
    },
  },
  {
    id: "OP-CS-RECV",
    name: "Cara Receiver",
    facilityId: DEMO_FACILITY.CentralSouth,
    roles: ["receiver"],
    pin: "2001",
    pinHash: {
      alg: "pbkdf2-sha256",
      iterations: 600_000,
      salt: "voQ8ovMYRgwBnRscU/cdwg==",
      hash: "aWe/80UK99Nh4DFGVZVunrj+TCdXieJ3feY8Wn9a6EU=",
    },
  },
  {
    id: "OP-CS-TECH",
    name: "Colin Technician",
    facilityId: DEMO_FACILITY.CentralSouth,
    roles: ["technician"],
    pin: "2002",
    pinHash: {
      alg: "pbkdf2-sha256",
      iterations: 600_000,
      salt: "EPYjM4wRr2vmCs5GC3gEQA==",
      hash: "GlFLJzhVXbie8GyCMBXh+A74DzO++fTpO4nR0jYY/10=",
    },
  },
  {
    id: "OP-CS-SUP",
    name: "Sue Supervisor",
    facilityId: DEMO_FACILITY.CentralSouth,
    roles: ["supervisor", "receiver", "technician"],
    pin: "2003",
    pinHash: {
      alg: "pbkdf2-sha256",
      iterations: 600_000,
      salt: "XHaSiKpGDvbZbyAS/F4ZIA==",
      hash: "j4F1xqA3dnM58JJ6weSwc/AqbHqOp4abt0X4qy2Yyac=",
    },
  },
] as const;

/**
 * A demo world seeded before PINs existed has its operators without one: gives each demo operator
 * that has none its demo PIN (and puts it back on the pull feed), so `npm start` on an old data
 * folder still signs in. Returns how many were given one.
 */
export async function giveDemoOperatorsTheirPins(db: Kysely<Database>): Promise<number> {
  let given = 0;
  for (const o of DEMO_OPERATORS) {
    const r = await db
      .updateTable("operators")
      .set({ pin_hash: JSON.stringify(o.pinHash), pin_set_at: new Date() })
      .where("id", "=", o.id)
      .where("pin_hash", "is", null)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) > 0) {
      await recordChange(db, "operator", o.id, o.facilityId);
      given++;
    }
  }
  return given;
}

/** The demo model's catalogue: the Release 1 versions named in MP155 and a Release 2.0 target. */
export const DEMO_FIRMWARE = [
  { deviceModel: "010A030B", version: "0001251B", status: "withdrawn", label: "v1.37.7 (Release 1)" },
  { deviceModel: "010A030B", version: "0002012F", status: "withdrawn", label: "v1.38.3 (Release 1)" },
  { deviceModel: "010A030B", version: "00030000", status: "production", label: "Release 2.0" },
] as const;

/** Deterministic stand-in image bytes for a firmware version (the jig simulator flashes these). */
export function demoFirmwareImage(deviceModel: string, version: string, sizeBytes = 64 * 1024): Buffer {
  const out = Buffer.alloc(sizeBytes);
  let block = createHash("sha256").update(`${deviceModel}/${version}`).digest();
  for (let off = 0; off < sizeBytes; off += block.length) {
    block.copy(out, off);
    block = createHash("sha256").update(block).digest();
  }
  return out;
}

export interface DemoTokens {
  dcc: string;
  parties: Record<string, string>;
  docks: Record<string, string>;
}

export async function addToken(
  db: Kysely<Database>,
  kind: "dock" | "party" | "dcc",
  subjectId: string,
): Promise<string> {
  const token = newToken();
  await db
    .insertInto("api_tokens")
    .values({ token_hash: hashToken(token), kind, subject_id: subjectId })
    .execute();
  return token;
}

/** Inventory rows (CHF and its GPF) for every hub of these bookings, all Pending. */
export async function insertInventoryFor(db: Kysely<Database>, bookings: readonly Booking[]): Promise<number> {
  const rows: Insertable<InventoryTable>[] = [];
  for (const b of bookings)
    for (const c of [...b.pallets.flatMap((p) => p.cartons), ...b.looseCartons])
      for (const h of c.hubs) {
        rows.push({
          device_id: h.deviceId,
          gpf_device_id: h.gpfDeviceId,
          device_type: "CHF",
          manufacturer: h.manufacturer,
          device_model: h.deviceModel,
          firmware_version: h.firmwareVersion,
          smi_status: h.smiStatus,
          assigned_party: h.assignedParty,
          csp_region: h.cspRegion,
          han_variant: h.hanVariant ?? null,
        });
      }
  for (let i = 0; i < rows.length; i += 3000)
    await db
      .insertInto("inventory")
      .values(rows.slice(i, i + 3000))
      .onConflict((oc) => oc.column("device_id").doNothing())
      .execute();
  return rows.length;
}

/**
 * The re-delivery side a demo Party asks for: its depot (one of its listed locations), on the
 * first working day a week after arrival, in the arrival's window.
 */
export function demoRedelivery(
  b: Pick<Booking, "partyId" | "partyName" | "deliveryDate" | "deliveryWindow">,
): NonNullable<Booking["redelivery"]> {
  let date = addDays(b.deliveryDate, 7);
  while (workingHoursProblem(DEFAULT_BUSINESS_CONFIG, date, b.deliveryWindow) !== null) date = addDays(date, 1);
  return {
    deliveryDate: date,
    deliveryWindow: { ...b.deliveryWindow },
    deliveryLocation: {
      id: `${b.partyId}-DEPOT`,
      name: `${b.partyName} depot`,
      address: `${b.partyName} depot, 10 Meter Way, Leeds`,
    },
  };
}

/** Records a booking as if its request had been accepted: request, Work Order, booking. */
export async function insertAuthorisedBooking(db: Kysely<Database>, b: Booking): Promise<void> {
  const requestId = `REQ-${b.bookingRef.slice(3)}`;
  const clientRequestId = createHash("sha256").update(b.bookingRef).digest("hex");
  const uuid = `${clientRequestId.slice(0, 8)}-${clientRequestId.slice(8, 12)}-4${clientRequestId.slice(13, 16)}-a${clientRequestId.slice(17, 20)}-${clientRequestId.slice(20, 32)}`;
  await db
    .insertInto("requests")
    .values({
      id: requestId,
      client_request_id: uuid,
      party_id: b.partyId,
      facility_id: b.facilityId,
      location_id: b.deliveryLocation.id,
      delivery_date: b.deliveryDate,
      window_start: b.deliveryWindow.start,
      window_end: b.deliveryWindow.end,
      contact: JSON.stringify({ name: "Demo contact" }),
      hubs: JSON.stringify({ seeded: true }),
      status: "accepted",
      reasons: "[]",
      hub_reasons: "[]",
    })
    .execute();
  await db
    .insertInto("work_orders")
    .values({
      id: b.workOrderId,
      request_id: requestId,
      party_id: b.partyId,
      csp: b.csp,
      facility_id: b.facilityId,
      status: "raised",
    })
    .execute();
  await insertBooking(db, b, { name: "Demo contact" });
}

/** Creates the demo world in an empty database; returns the tokens (shown once). */
export async function seedDemoWorld(
  db: Kysely<Database>,
  key: SigningKeyFile,
): Promise<{ tokens: DemoTokens; bookingRef: string }> {
  return db.transaction().execute(async (trx) => {
    for (const p of DEMO_PARTIES) {
      const slug = p.id.toLowerCase();
      await trx
        .insertInto("parties")
        .values({ id: p.id, name: p.name, email: `returns@${slug}.example` })
        .execute();
      await trx
        .insertInto("party_locations")
        .values([
          {
            id: `${p.id}-DEPOT`,
            party_id: p.id,
            name: `${p.name} depot`,
            address: `${p.name} depot, 10 Meter Way, Leeds`,
          },
          {
            id: `${p.id}-WAREHOUSE`,
            party_id: p.id,
            name: `${p.name} warehouse`,
            address: `${p.name} warehouse, 5 Hub Street, Bristol`,
          },
        ])
        .execute();
    }
    await trx
      .insertInto("facilities")
      .values([
        {
          id: DEMO_FACILITY.North,
          name: "CSP North re-flash dock",
          csp: "North",
          max_pallets: 5,
          address: "1 Dock Road, Manchester",
        },
        {
          id: DEMO_FACILITY.CentralSouth,
          name: "CSP Central & South 3PL dock",
          csp: "CentralSouth",
          max_pallets: 12,
          address: "2 Logistics Park, Milton Keynes",
        },
      ])
      .execute();
    await trx
      .insertInto("facility_locations")
      .values([
        {
          id: `LOC-${DEMO_FACILITY.North}`,
          facility_id: DEMO_FACILITY.North,
          name: "CSP North dock",
          address: "1 Dock Road, Manchester",
        },
        {
          id: `LOC-${DEMO_FACILITY.CentralSouth}`,
          facility_id: DEMO_FACILITY.CentralSouth,
          name: "CSP Central & South 3PL dock",
          address: "2 Logistics Park, Milton Keynes",
        },
      ])
      .execute();
    await trx
      .insertInto("docks")
      .values(DEMO_DOCKS.map((d) => ({ id: d.id, facility_id: d.facilityId, name: d.name })))
      .execute();
    // MP155 plans 3 multi-jigs at one site; they sit at CSP North here.
    await trx
      .insertInto("jigs")
      .values([1, 2, 3].map((n) => ({ id: `JIG-N-${n}`, facility_id: DEMO_FACILITY.North, slots: 8 })))
      .execute();
    for (const o of DEMO_OPERATORS) {
      await trx
        .insertInto("operators")
        .values({
          id: o.id,
          name: o.name,
          facility_id: o.facilityId,
          roles: JSON.stringify(o.roles),
          pin_hash: JSON.stringify(o.pinHash),
          pin_set_at: new Date(),
        })
        .execute();
      await recordChange(trx, "operator", o.id, o.facilityId);
    }
    for (const f of DEMO_FIRMWARE) {
      const image = demoFirmwareImage(f.deviceModel, f.version);
      await putFirmware(trx, key, {
        deviceModel: f.deviceModel,
        version: f.version,
        status: f.status,
        sha256: createHash("sha256").update(image).digest("hex"),
        sizeBytes: image.length,
        releasedAt: f.version === "00030000" ? "2026-06-01T00:00:00.000Z" : "2019-01-01T00:00:00.000Z",
      });
    }
    const booking = demoBooking({ csp: "North", partyId: DEMO_PARTIES[0].id });
    const named = { ...booking, partyName: DEMO_PARTIES[0].name };
    const b: Booking = { ...named, redelivery: demoRedelivery(named) };
    await insertInventoryFor(trx, [b]);
    await insertAuthorisedBooking(trx, b);
    // A few more SMI records so a request can be refused for real reasons in the demo.
    await trx
      .insertInto("inventory")
      .values([
        {
          device_id: "88-73-84-57-00-2F-96-1E",
          gpf_device_id: "88-73-84-57-00-2F-96-1F",
          device_type: "CHF",
          manufacturer: "AB01",
          device_model: "010A030B",
          firmware_version: "0002012F",
          smi_status: "Commissioned",
          assigned_party: DEMO_PARTIES[0].id,
          csp_region: "North",
        },
        {
          device_id: "88-73-84-57-00-2F-96-20",
          gpf_device_id: "88-73-84-57-00-2F-96-21",
          device_type: "CHF",
          manufacturer: "AB01",
          device_model: "010A030B",
          firmware_version: "0002012F",
          smi_status: "Pending",
          assigned_party: DEMO_PARTIES[1].id,
          csp_region: "Central",
        },
      ])
      .execute();
    const tokens: DemoTokens = { dcc: await addToken(trx, "dcc", "dcc-admin"), parties: {}, docks: {} };
    for (const p of DEMO_PARTIES) tokens.parties[p.id] = await addToken(trx, "party", p.id);
    for (const d of DEMO_DOCKS) tokens.docks[d.id] = await addToken(trx, "dock", d.id);
    return { tokens, bookingRef: b.bookingRef };
  });
}

/**
 * Benchmark volume: about `hubCount` hubs (rounded up to whole 1,792-hub bookings) at CSP
 * North, with inventory, Work Orders and bookings, from demo seed 7 (no clash with the demo booking).
 */
export async function seedBulkHubs(db: Kysely<Database>, hubCount: number): Promise<Booking[]> {
  const n = Math.ceil(hubCount / 1792);
  const bookings = demoBookings(n, { seed: 7, csp: "North", partyId: DEMO_PARTIES[1].id })
    .map((b) => ({
      ...b,
      partyName: DEMO_PARTIES[1].name,
      bookingRef: `BX-${b.bookingRef.slice(3)}`,
      deliveryRef: `DX-${b.deliveryRef.slice(3)}`,
      workOrderId: `WX-${b.workOrderId.slice(3)}`,
    }))
    .map((b) => ({ ...b, redelivery: demoRedelivery(b) }));
  for (const b of bookings) {
    await db.transaction().execute(async (trx) => {
      await insertInventoryFor(trx, [b]);
      await insertAuthorisedBooking(trx, b);
    });
  }
  return bookings;
}
