import { randomBytes } from "node:crypto";
import { sql, type Kysely } from "kysely";
import type { Database } from "../db/schema";
import {
  cspForRegion,
  packingBreaches,
  type BookedCarton,
  type BookedHub,
  type Booking,
  type CspRegion,
} from "../../shared/domain/booking";
import { encodeBookingLabel, isValidSscc } from "../../shared/domain/labels";
import type { ReflashRequest } from "../api-schemas";
import type { BusinessConfig } from "../config";
import { ApiError } from "../http/api-error";
import { appendAudit } from "./audit";
import { insertBooking } from "./bookings";
import { bookingLabelPdf } from "./booking-label-pdf";
import { authorisationNotice, requestDecisionNotice } from "./notices";
import { enqueueNotice, type Attachment } from "./outbox";
import { siteZone, today, workingHoursProblem } from "./working-time";

/** Every reason a request is refused: per request (scope "request", a pallet or carton) or per hub. */
export interface RejectionReason {
  scope: string;
  code: RejectionCode;
  reason: string;
}
export type RejectionCode =
  | "unknown-facility"
  | "location-not-listed"
  | "outside-working-hours"
  | "date-in-past"
  | "redelivery-location-not-listed"
  | "redelivery-outside-working-hours"
  | "redelivery-date-in-past"
  | "redelivery-before-arrival"
  | "over-capacity"
  | "packing-limit"
  | "bad-sscc"
  | "duplicate-sscc"
  | "empty"
  | "duplicate-hub"
  | "unknown-hub"
  | "not-pending"
  | "other-party"
  | "wrong-csp-or-facility"
  | "missing-data"
  | "data-mismatch"
  | "wrong-device-type"
  | "already-booked";

export interface RequestOutcome {
  requestId: string;
  status: "accepted" | "rejected";
  reasons: RejectionReason[];
  booking: null | {
    bookingRef: string;
    deliveryRef: string;
    workOrderId: string;
    label: { scan: string; hri: string };
  };
}

/** Statuses in which a booking still takes room at its facility. */
const OPEN_BOOKING = ["authorised", "arrived", "receiving"];

function ref(prefix: string): string {
  // 8 characters of base32-ish upper case: 10^12 values, and unique constraints catch the rest.
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const bytes = randomBytes(8);
  let s = "";
  for (const b of bytes) s += alphabet[b % alphabet.length];
  return `${prefix}-${s}`;
}

/**
 * Req 1-3: checks a Party's request against the SMI mirror and the facility, and either
 * rejects it with every applicable reason or authorises it: a Work Order for the right CSP,
 * a booking with its references and label, and the notices. Runs in one transaction.
 */
export async function submitRequest(
  db: Kysely<Database>,
  partyId: string,
  req: ReflashRequest,
  cfg: BusinessConfig,
  now = new Date(),
): Promise<RequestOutcome> {
  return db.transaction().execute(async (trx) => {
    // Compared without letter case (the schema lower-cases it; keys stored before may not be).
    const prior = await trx
      .selectFrom("requests")
      .select(["id", "status"])
      .where(sql<string>`lower(client_request_id)`, "=", req.clientRequestId.toLowerCase())
      .executeTakeFirst();
    if (prior)
      throw new ApiError(
        409,
        "replayed-request",
        `request ${req.clientRequestId} was already submitted as ${prior.id} (${prior.status}); send a new clientRequestId for a new request`,
      );
    const party = await trx.selectFrom("parties").selectAll().where("id", "=", partyId).executeTakeFirst();
    if (!party) throw new ApiError(403, "unknown-party", `party ${partyId} is not registered`);

    // Each side's reasons name it: "arrival" (at the CSP facility) or "re-delivery" (back to the Party).
    const reasons: RejectionReason[] = [];
    const facility = await trx.selectFrom("facilities").selectAll().where("id", "=", req.facilityId).executeTakeFirst();
    if (!facility)
      reasons.push({
        scope: "arrival",
        code: "unknown-facility",
        reason: `facility ${req.facilityId} is not a re-flash facility`,
      });
    const location = await trx
      .selectFrom("facility_locations")
      .selectAll()
      .where("id", "=", req.deliveryLocationId)
      .where("facility_id", "=", req.facilityId)
      .executeTakeFirst();
    if (!location)
      reasons.push({
        scope: "arrival",
        code: "location-not-listed",
        reason: `arrival location ${req.deliveryLocationId} is not a listed location of facility ${req.facilityId}`,
      });
    const hours = workingHoursProblem(cfg, req.deliveryDate, req.deliveryWindow);
    if (hours) reasons.push({ scope: "arrival", code: "outside-working-hours", reason: hours });
    else if (!cfg.deliverySlots.some((s) => s.start === req.deliveryWindow.start && s.end === req.deliveryWindow.end))
      reasons.push({
        scope: "arrival",
        code: "outside-working-hours",
        reason: `arrival window ${req.deliveryWindow.start}-${req.deliveryWindow.end} is not a delivery timeslot (${cfg.deliverySlots.map((s) => `${s.start}-${s.end}`).join(", ")})`,
      });
    if (req.deliveryDate < today(now, siteZone(cfg)))
      reasons.push({
        scope: "arrival",
        code: "date-in-past",
        reason: `arrival date ${req.deliveryDate} is in the past`,
      });

    // Re-delivery: one of the Party's own listed locations, a window within working hours, not before arrival.
    const red = req.redelivery;
    const redLocation = await trx
      .selectFrom("party_locations")
      .selectAll()
      .where("id", "=", red.locationId)
      .where("party_id", "=", partyId)
      .executeTakeFirst();
    if (!redLocation)
      reasons.push({
        scope: "re-delivery",
        code: "redelivery-location-not-listed",
        reason: `re-delivery location ${red.locationId} is not one of ${partyId}'s listed locations`,
      });
    const redHours = workingHoursProblem(cfg, red.deliveryDate, red.deliveryWindow);
    if (redHours) reasons.push({ scope: "re-delivery", code: "redelivery-outside-working-hours", reason: redHours });
    if (red.deliveryDate < today(now, siteZone(cfg)))
      reasons.push({
        scope: "re-delivery",
        code: "redelivery-date-in-past",
        reason: `re-delivery date ${red.deliveryDate} is in the past`,
      });
    else if (red.deliveryDate <= req.deliveryDate)
      reasons.push({
        scope: "re-delivery",
        code: "redelivery-before-arrival",
        reason: `re-delivery date ${red.deliveryDate} is not after the arrival date ${req.deliveryDate}`,
      });

    // Packing: SSCCs valid and unique, limits per carton and pallet (Req 4).
    const cartons: Array<{ sscc: string; hubs: ReflashRequest["looseCartons"][number]["hubs"] }> = [
      ...req.pallets.flatMap((p) => p.cartons),
      ...req.looseCartons,
    ];
    const ssccs = new Set<string>();
    for (const s of [...req.pallets.map((p) => p.sscc), ...cartons.map((c) => c.sscc)]) {
      if (!isValidSscc(s))
        reasons.push({ scope: `sscc ${s}`, code: "bad-sscc", reason: `SSCC ${s} has a wrong check digit` });
      if (ssccs.has(s))
        reasons.push({ scope: `sscc ${s}`, code: "duplicate-sscc", reason: `SSCC ${s} is listed twice` });
      ssccs.add(s);
    }
    // packingBreaches reads only the pallet/carton/hub shape, which the request already has.
    const shape = {
      pallets: req.pallets.map((p) => ({
        sscc: p.sscc,
        cartons: p.cartons.map((c) => ({ sscc: c.sscc, hubs: c.hubs })),
      })),
      looseCartons: req.looseCartons,
    } as unknown as Booking;
    for (const b of packingBreaches(shape, cfg.packing))
      reasons.push({
        scope: `sscc ${b.sscc}`,
        code: "packing-limit",
        reason:
          b.kind === "carton-over-limit"
            ? `carton holds ${b.count} hubs, at most ${b.limit}`
            : `pallet holds ${b.count} cartons, at most ${b.limit}`,
      });
    const hubLines = [...req.pallets.flatMap((p) => p.hubs ?? []), ...cartons.flatMap((c) => c.hubs)];
    if (hubLines.length === 0) reasons.push({ scope: "request", code: "empty", reason: "the request lists no hubs" });

    // Capacity: the facility stores at most max_pallets (5 at CSP North, A-009).
    if (facility) {
      // A pallet counts from arrival until dispatch: an open booking, or one whose receipt is
      // closed but whose hubs have not gone back (Work Order not completed), unless the whole
      // delivery was rejected at receipt (it left with its carrier).
      const open = await trx
        .selectFrom("bookings")
        .innerJoin("work_orders", "work_orders.id", "bookings.work_order_id")
        .leftJoin("receipt_outcomes", "receipt_outcomes.booking_ref", "bookings.booking_ref")
        .select((eb) => eb.fn.coalesce(eb.fn.sum<string>("bookings.pallet_count"), eb.val("0")).as("n"))
        .where("bookings.facility_id", "=", facility.id)
        .where((eb) =>
          eb.or([
            eb("bookings.status", "in", OPEN_BOOKING),
            eb.and([
              eb("bookings.status", "=", "closed"),
              eb("work_orders.status", "not in", ["completed", "closed"]),
              eb.or([eb("receipt_outcomes.outcome", "is", null), eb("receipt_outcomes.outcome", "!=", "reject")]),
            ]),
          ]),
        )
        .executeTakeFirstOrThrow();
      const booked = Number(open.n);
      if (booked + req.pallets.length > facility.max_pallets)
        reasons.push({
          scope: "request",
          code: "over-capacity",
          reason: `facility ${facility.id} stores at most ${facility.max_pallets} pallets; ${booked} already booked or on site until dispatch, this request adds ${req.pallets.length}`,
        });
    }

    // Per hub, against the SMI mirror.
    const ids = hubLines.map((h) => h.deviceId);
    const inv = new Map<
      string,
      {
        device_id: string;
        gpf_device_id: string;
        device_type: string;
        manufacturer: string;
        device_model: string;
        firmware_version: string;
        smi_status: string;
        assigned_party: string;
        csp_region: string;
        han_variant: "single-band" | "dual-band" | null;
      }
    >();
    const bookedElsewhere = new Map<string, string>();
    for (let i = 0; i < ids.length; i += 5000) {
      const chunk = ids.slice(i, i + 5000);
      for (const r of await trx
        .selectFrom("inventory")
        .select([
          "device_id",
          "gpf_device_id",
          "device_type",
          "manufacturer",
          "device_model",
          "firmware_version",
          "smi_status",
          "assigned_party",
          "csp_region",
          "han_variant",
        ])
        .where("device_id", "in", chunk)
        .execute())
        inv.set(r.device_id, r);
      // A hub stays held by its booking until it is closed out: open, or received and not yet
      // dispatched back (its Work Order not completed), unless the whole delivery was rejected.
      const held = await trx
        .selectFrom("booking_hubs")
        .innerJoin("bookings", "bookings.booking_ref", "booking_hubs.booking_ref")
        .innerJoin("work_orders", "work_orders.id", "bookings.work_order_id")
        .leftJoin("receipt_outcomes", "receipt_outcomes.booking_ref", "bookings.booking_ref")
        .select(["booking_hubs.device_id", "bookings.booking_ref", "bookings.status"])
        .where("booking_hubs.device_id", "in", chunk)
        .where((eb) =>
          eb.or([
            eb("bookings.status", "in", OPEN_BOOKING),
            eb.and([
              eb("bookings.status", "=", "closed"),
              eb("work_orders.status", "not in", ["completed", "closed"]),
              eb.or([eb("receipt_outcomes.outcome", "is", null), eb("receipt_outcomes.outcome", "!=", "reject")]),
            ]),
          ]),
        )
        .execute();
      for (const r of held)
        bookedElsewhere.set(
          r.device_id,
          r.status === "closed" ? `${r.booking_ref} (received, not yet re-delivered)` : r.booking_ref,
        );
    }
    const seen = new Set<string>();
    for (const h of hubLines) {
      const scope = `hub ${h.deviceId}`;
      if (seen.has(h.deviceId)) {
        reasons.push({ scope, code: "duplicate-hub", reason: "listed more than once" });
        continue;
      }
      seen.add(h.deviceId);
      const missing = (["firmwareVersion", "manufacturer", "deviceModel"] as const).filter((k) => h[k] === undefined);
      if (missing.length > 0) reasons.push({ scope, code: "missing-data", reason: `missing ${missing.join(", ")}` });
      const r = inv.get(h.deviceId);
      if (!r) {
        reasons.push({ scope, code: "unknown-hub", reason: "not in the Smart Metering Inventory" });
        continue;
      }
      if (r.device_type !== "CHF")
        reasons.push({
          scope,
          code: "wrong-device-type",
          reason: `SMI lists it as ${r.device_type}, not a Communications Hub Function (CHF)`,
        });
      if (r.smi_status !== "Pending")
        reasons.push({
          scope,
          code: "not-pending",
          reason: `SMI status is ${r.smi_status}, only Pending hubs can be re-flashed`,
        });
      if (r.assigned_party !== partyId)
        reasons.push({ scope, code: "other-party", reason: "assigned to a different Service User" });
      if (facility && cspForRegion(r.csp_region as CspRegion) !== facility.csp)
        reasons.push({
          scope,
          code: "wrong-csp-or-facility",
          reason: `CSP region ${r.csp_region} is served by CSP ${cspForRegion(r.csp_region as CspRegion)}, not facility ${facility.id} (${facility.csp})`,
        });
      const mismatch = [
        h.firmwareVersion !== undefined && h.firmwareVersion !== r.firmware_version
          ? `firmware ${h.firmwareVersion} (SMI ${r.firmware_version})`
          : null,
        h.manufacturer !== undefined && h.manufacturer !== r.manufacturer
          ? `manufacturer ${h.manufacturer} (SMI ${r.manufacturer})`
          : null,
        h.deviceModel !== undefined && h.deviceModel !== r.device_model
          ? `model ${h.deviceModel} (SMI ${r.device_model})`
          : null,
      ].filter((x): x is string => x !== null);
      if (mismatch.length > 0)
        reasons.push({ scope, code: "data-mismatch", reason: `does not match the SMI: ${mismatch.join(", ")}` });
      const other = bookedElsewhere.get(h.deviceId);
      if (other !== undefined)
        reasons.push({
          scope,
          code: "already-booked",
          reason: `already on booking ${other}; a hub can be requested again only once that booking is closed out`,
        });
    }

    const requestId = ref("REQ");
    const accepted =
      reasons.length === 0 && facility !== undefined && location !== undefined && redLocation !== undefined;
    await trx
      .insertInto("requests")
      .values({
        id: requestId,
        client_request_id: req.clientRequestId,
        party_id: partyId,
        facility_id: req.facilityId,
        location_id: req.deliveryLocationId,
        delivery_date: req.deliveryDate,
        window_start: req.deliveryWindow.start,
        window_end: req.deliveryWindow.end,
        contact: JSON.stringify(req.contact),
        hubs: JSON.stringify({ pallets: req.pallets, looseCartons: req.looseCartons }),
        status: accepted ? "accepted" : "rejected",
        reasons: JSON.stringify(reasons.filter((r) => !r.scope.startsWith("hub "))),
        hub_reasons: JSON.stringify(reasons.filter((r) => r.scope.startsWith("hub "))),
      })
      .execute();
    await enqueueNotice(trx, requestDecisionNotice(party.email, requestId, accepted, reasons));
    if (!accepted || !facility || !location || !redLocation)
      return { requestId, status: "rejected", reasons, booking: null };

    // Authorise (Req 3): Work Order for the facility's CSP, booking with references and label.
    const workOrderId = ref("WO");
    await trx
      .insertInto("work_orders")
      .values({
        id: workOrderId,
        request_id: requestId,
        party_id: partyId,
        csp: facility.csp,
        facility_id: facility.id,
        status: "raised",
      })
      .execute();
    const bookingRef = ref("BK");
    const deliveryRef = ref("DR");
    const toHub = (deviceId: string): BookedHub => {
      const r = inv.get(deviceId);
      if (!r) throw new Error(`hub ${deviceId} vanished from the inventory during the request`);
      return {
        deviceId,
        gpfDeviceId: r.gpf_device_id,
        manufacturer: r.manufacturer,
        deviceModel: r.device_model,
        firmwareVersion: r.firmware_version,
        smiStatus: "Pending",
        assignedParty: r.assigned_party,
        cspRegion: r.csp_region as CspRegion,
        ...(r.han_variant !== null ? { hanVariant: r.han_variant } : {}),
      };
    };
    const toCarton = (c: { sscc: string; hubs: Array<{ deviceId: string }> }): BookedCarton => ({
      sscc: c.sscc,
      hubs: c.hubs.map((h) => toHub(h.deviceId)),
    });
    const booking: Booking = {
      bookingRef,
      deliveryRef,
      workOrderId,
      partyId,
      partyName: party.name,
      csp: facility.csp as Booking["csp"],
      facilityId: facility.id,
      deliveryLocation: { id: location.id, name: location.name, address: location.address },
      deliveryDate: req.deliveryDate,
      deliveryWindow: req.deliveryWindow,
      redelivery: {
        deliveryDate: red.deliveryDate,
        deliveryWindow: red.deliveryWindow,
        deliveryLocation: { id: redLocation.id, name: redLocation.name, address: redLocation.address },
      },
      status: "authorised",
      version: 1,
      pallets: req.pallets.map((p) => ({
        sscc: p.sscc,
        cartons: p.cartons.map(toCarton),
        ...(p.hubs && p.hubs.length > 0 ? { hubs: p.hubs.map((h) => toHub(h.deviceId)) } : {}),
      })),
      looseCartons: req.looseCartons.map(toCarton),
    };
    await insertBooking(trx, booking, req.contact);
    await appendAudit(
      trx,
      ids.map((deviceId) => ({
        deviceId,
        actor: `party:${partyId}`,
        dockId: null,
        facilityId: facility.id,
        action: "request.authorised",
        detail: { requestId, bookingRef, workOrderId },
      })),
    );
    const label = encodeBookingLabel({ bookingRef, deliveryRef });
    if (!label.ok) throw new Error(`booking label for ${bookingRef}: ${label.reason}`);
    const pdf = await bookingLabelPdf({
      bookingRef,
      deliveryRef,
      partyName: party.name,
      facilityName: facility.name,
      arrivalLocation: `${location.name}, ${location.address}`,
      arrivalDate: req.deliveryDate,
      arrivalWindow: `${req.deliveryWindow.start}-${req.deliveryWindow.end}`,
      redeliveryLocation: `${redLocation.name}, ${redLocation.address}`,
      hubCount: ids.length,
      palletCount: req.pallets.length,
    });
    const attachments: Attachment[] = [
      {
        filename: `booking-label-${bookingRef}.pdf`,
        contentType: "application/pdf",
        content: Buffer.from(pdf).toString("base64"),
        encoding: "base64",
      },
      {
        filename: `booking-label-${bookingRef}.json`,
        contentType: "application/json",
        content: JSON.stringify(
          {
            kind: "booking-label",
            bookingRef,
            deliveryRef,
            scan: label.scan,
            hri: label.hri,
            elements: label.elements,
          },
          null,
          2,
        ),
      },
    ];
    await enqueueNotice(
      trx,
      authorisationNotice(
        party.email,
        {
          bookingRef,
          deliveryRef,
          workOrderId,
          facilityName: facility.name,
          locationName: location.name,
          locationAddress: location.address,
          deliveryDate: req.deliveryDate,
          windowStart: req.deliveryWindow.start,
          windowEnd: req.deliveryWindow.end,
          contactName: req.contact.name,
          hubCount: ids.length,
          palletCount: req.pallets.length,
          redelivery: {
            locationName: redLocation.name,
            locationAddress: redLocation.address,
            deliveryDate: red.deliveryDate,
            windowStart: red.deliveryWindow.start,
            windowEnd: red.deliveryWindow.end,
          },
          dccContact: cfg.dccContact,
          purchaseOrderNeeded: cfg.purchaseOrderRequired.includes(facility.csp as Booking["csp"]),
        },
        attachments,
      ),
    );
    return {
      requestId,
      status: "accepted",
      reasons: [],
      booking: { bookingRef, deliveryRef, workOrderId, label: { scan: label.scan, hri: label.hri } },
    };
  });
}
