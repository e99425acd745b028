import { sql, type Kysely } from "kysely";
import type { Database } from "../db/schema";
import type { DockEvent, DockEventType } from "../../shared/events";
import type { BusinessConfig } from "../config";
import {
  workOrderBlock,
  type AdmissionFacts,
  type AsnFact,
  type BookingFact,
  type HubPlace,
  type ManifestFact,
  type OperatorFact,
  type ReceivedFact,
} from "./admission";
import { bookingsOf, hubsPlacedBy, type DockIdentity } from "./event-subjects";
import { smiChecksOf } from "./smi-update";
import { ManifestBuiltPayload } from "../../shared/events";
import { manifestHubs } from "../../shared/domain/manifest";
import type { SmiHubCheck } from "../../shared/domain/smi-before-dispatch";

/**
 * The facts admission.ts judges by, looked up in one go per batch (before the events stream
 * into a COPY, which holds the connection) and kept up to date as the batch's own events are
 * admitted, so an ASN after its manifest in the same batch finds it.
 */

/** The keys events name, where the rules will look: bookings, hubs, ASN numbers, manifests, hubs of jig work (flash, fault), and manifests dispatched. */
export interface NamedKeys {
  refs: string[];
  hubs: string[];
  asns: string[];
  manifests: string[];
  workedHubs: string[];
  /** Manifests a dispatch names: their hubs' SMI updates are looked up (Req 10). */
  dispatches?: string[];
}

const HUB_EVENT_TYPES: ReadonlySet<unknown> = new Set<DockEventType>([
  "slot.loaded",
  "slot.unloaded",
  "flash.result",
  "fault.reported",
]);
const WORKED_TYPES: ReadonlySet<unknown> = new Set<DockEventType>(["flash.result", "fault.reported", "flash.override"]);

/** The formats of the keys (BookingRefSchema, DeviceIdSchema, an ASN number, ManifestIdSchema). */
const BOOKING_REF = /^[A-Z0-9-]{4,20}$/;
const DEVICE_ID = /^[0-9A-F]{2}(-[0-9A-F]{2}){7}$/;
const ASN_NUMBER = /^[A-Z0-9-]{4,40}$/;
const MANIFEST_ID = /^[A-Z0-9-]{4,32}$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * The keys a batch's raw (not yet parsed) events name, so they can be looked up before the
 * events are parsed. Only a prefetch: an event is judged on what its parsed form names, and
 * anything this missed is looked up then (`FactFinder.missing`). Never recurses; a value
 * longer than any valid key of its kind is skipped rather than sent to the database.
 */
export function keysNamedBy(raws: readonly unknown[]): NamedKeys {
  const refs = new Set<string>();
  const hubs = new Set<string>();
  const asns = new Set<string>();
  const manifests = new Set<string>();
  const worked = new Set<string>();
  const dispatches = new Set<string>();
  // Only a value of the key's own format is sent to the database: anything else cannot name a
  // stored key, and a NUL in a query parameter would fail the transaction (PostgreSQL text).
  const add = (v: unknown, into: Set<string>, format: RegExp) => {
    if (typeof v === "string" && v.length <= 40 && format.test(v)) into.add(v);
  };
  const each = (v: unknown, f: (x: Record<string, unknown>) => void) => {
    if (Array.isArray(v)) for (const x of v) if (isRecord(x)) f(x);
  };
  const cartonHubs = (c: Record<string, unknown>) => each(c.hubs, (h) => add(h.deviceId, hubs, DEVICE_ID));
  for (const raw of raws) {
    if (!isRecord(raw) || !isRecord(raw.payload)) continue;
    const p = raw.payload;
    add(p.manifestId, manifests, MANIFEST_ID);
    if (raw.type === "manifest.built") {
      if (Array.isArray(p.bookingRefs)) for (const r of p.bookingRefs) add(r, refs, BOOKING_REF);
      each(p.pallets, (pl) => {
        each(pl.cartons, cartonHubs);
        each(pl.hubs, (h) => add(h.deviceId, hubs, DEVICE_ID));
      });
      each(p.looseCartons, cartonHubs);
      each(p.excludedHubs, (h) => add(h.deviceId, hubs, DEVICE_ID));
      continue;
    }
    add(p.bookingRef, refs, BOOKING_REF);
    if (HUB_EVENT_TYPES.has(raw.type)) add(p.deviceId, hubs, DEVICE_ID);
    if (WORKED_TYPES.has(raw.type)) add(p.deviceId, worked, DEVICE_ID);
    if (raw.type === "asn.issued" || raw.type === "dispatch.recorded" || raw.type === "asn.cancelled")
      add(p.asnNumber, asns, ASN_NUMBER);
    if (raw.type === "asn.cancelled") add(p.replacedByManifestId, manifests, MANIFEST_ID);
    if (raw.type === "dispatch.recorded") add(p.manifestId, dispatches, MANIFEST_ID);
  }
  return {
    refs: [...refs],
    hubs: [...hubs],
    asns: [...asns],
    manifests: [...manifests],
    workedHubs: [...worked],
    dispatches: [...dispatches],
  };
}

/** Calls `visit` with every key a parsed event is judged on, by kind (no allocation for the common scan). */
function eachKeyOf(e: DockEvent, visit: (kind: keyof NamedKeys, key: string) => void): void {
  if (e.type === "scan.recorded") {
    visit("refs", e.payload.bookingRef);
    return;
  }
  for (const r of bookingsOf(e)) visit("refs", r);
  for (const d of hubsPlacedBy(e)) visit("hubs", d);
  if (e.type === "asn.issued" || e.type === "dispatch.recorded" || e.type === "asn.cancelled")
    visit("asns", e.payload.asnNumber);
  if (e.type === "asn.cancelled") visit("manifests", e.payload.replacedByManifestId);
  const manifestId = (e.payload as { manifestId?: unknown }).manifestId;
  if (typeof manifestId === "string") visit("manifests", manifestId);
  if (e.type === "flash.result" || e.type === "fault.reported" || e.type === "flash.override")
    visit("workedHubs", e.payload.deviceId);
  if (e.type === "dispatch.recorded") visit("dispatches", e.payload.manifestId);
}

/** Looks facts up for one batch's transaction and keeps them current as its events are admitted. */
export class FactFinder {
  private readonly operators = new Map<string, OperatorFact>();
  private readonly bookings = new Map<string, BookingFact | null>();
  private readonly hubPlaces = new Map<string, HubPlace | null>();
  private readonly hubPlaceMs = new Map<string, number>();
  private readonly manifests = new Map<string, ManifestFact | null>();
  private readonly asns = new Map<string, AsnFact | null>();
  private readonly asnBlocks = new Map<string, string>();
  private readonly received = new Map<string, ReceivedFact>();
  private readonly workedLookedUp = new Set<string>();
  private readonly hubModels = new Map<string, string | null>();
  private readonly catalogue = new Set<string>();
  private catalogueLoaded = false;
  private readonly dispatchSmi = new Map<string, readonly SmiHubCheck[]>();
  private readonly dispatchLookedUp = new Set<string>();
  /** Hubs of manifests built in this batch (a dispatch after its manifest in one batch is judged by them). */
  private readonly batchManifestHubs = new Map<string, Array<{ deviceId: string; firmwareVersion: string }>>();
  readonly facts: AdmissionFacts;

  private readonly poRequired: readonly string[];

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dock: DockIdentity,
    business: BusinessConfig,
    nowMs: number,
  ) {
    this.poRequired = business.purchaseOrderRequired;
    this.facts = {
      dock,
      nowMs,
      business,
      operators: this.operators,
      bookings: this.bookings,
      hubPlaces: this.hubPlaces,
      manifests: this.manifests,
      asns: this.asns,
      asnBlocks: this.asnBlocks,
      received: this.received,
      hubModels: this.hubModels,
      catalogue: this.catalogue,
      dispatchSmi: this.dispatchSmi,
    };
  }

  async loadOperators(): Promise<void> {
    for (const o of await this.db
      .selectFrom("operators")
      .select(["id", "roles", "active"])
      .where("facility_id", "=", this.dock.facilityId)
      .execute())
      this.operators.set(o.id, { roles: o.roles, active: o.active });
  }

  /** What these parsed events name that was not looked up yet (the prefetch missed it), or null. */
  missing(events: readonly DockEvent[]): NamedKeys | null {
    const out: Required<NamedKeys> = { refs: [], hubs: [], asns: [], manifests: [], workedHubs: [], dispatches: [] };
    let n = 0;
    const known: Record<keyof NamedKeys, { has(key: string): boolean }> = {
      refs: this.bookings,
      hubs: this.hubPlaces,
      asns: this.asns,
      manifests: this.manifests,
      workedHubs: this.workedLookedUp,
      dispatches: this.dispatchLookedUp,
    };
    for (const e of events)
      if (e.type === "manifest.built" && !this.batchManifestHubs.has(e.payload.manifestId))
        this.batchManifestHubs.set(e.payload.manifestId, manifestHubs(e.payload));
    const visit = (kind: keyof NamedKeys, key: string) => {
      if (!known[kind].has(key)) {
        out[kind].push(key);
        n++;
      }
    };
    for (const e of events) eachKeyOf(e, visit);
    return n > 0 ? out : null;
  }

  async lookUp(keys: NamedKeys): Promise<void> {
    const db = this.db;
    const refs = keys.refs.filter((r) => !this.bookings.has(r));
    if (refs.length > 0) {
      for (const r of refs) this.bookings.set(r, null);
      for (const b of await db
        .selectFrom("bookings")
        .innerJoin("work_orders", "work_orders.id", "bookings.work_order_id")
        .select([
          "bookings.booking_ref",
          "bookings.facility_id",
          "bookings.party_id",
          "work_orders.id as wo",
          "work_orders.csp",
          "work_orders.purchase_order",
          "work_orders.status as wo_status",
          "work_orders.status_reason",
        ])
        .where(sql<boolean>`bookings.booking_ref = any(${refs}::text[])`)
        .execute())
        this.bookings.set(b.booking_ref, {
          facilityId: b.facility_id,
          partyId: b.party_id,
          workBlocked: workOrderBlock(
            {
              id: b.wo,
              csp: b.csp,
              purchaseOrder: b.purchase_order,
              status: b.wo_status,
              statusReason: b.status_reason,
            },
            this.poRequired,
          ),
        });
    }
    // A hub named without its booking is placed by its latest booking (as the projections
    // attribute its flash results and credit): a hub on no booking is no facility's.
    const hubs = keys.hubs.filter((d) => !this.hubPlaces.has(d));
    if (hubs.length > 0) {
      for (const d of hubs) this.hubPlaces.set(d, null);
      const rows = await db
        .selectFrom("booking_hubs")
        .innerJoin("bookings", "bookings.booking_ref", "booking_hubs.booking_ref")
        .innerJoin("work_orders", "work_orders.id", "bookings.work_order_id")
        .select([
          "booking_hubs.device_id",
          "bookings.booking_ref",
          "bookings.facility_id",
          "bookings.party_id",
          "bookings.created_at",
          "work_orders.id as wo",
          "work_orders.csp",
          "work_orders.purchase_order",
          "work_orders.status as wo_status",
          "work_orders.status_reason",
        ])
        .where(sql<boolean>`booking_hubs.device_id = any(${hubs}::text[])`)
        .execute();
      for (const r of rows) {
        const createdMs = new Date(r.created_at).getTime();
        if (this.hubPlaces.get(r.device_id) === null || createdMs > (this.hubPlaceMs.get(r.device_id) ?? -Infinity)) {
          this.hubPlaces.set(r.device_id, {
            bookingRef: r.booking_ref,
            facilityId: r.facility_id,
            partyId: r.party_id,
            workBlocked: workOrderBlock(
              {
                id: r.wo,
                csp: r.csp,
                purchaseOrder: r.purchase_order,
                status: r.wo_status,
                statusReason: r.status_reason,
              },
              this.poRequired,
            ),
          });
          this.hubPlaceMs.set(r.device_id, createdMs);
        }
      }
    }
    const manifests = keys.manifests.filter((m) => !this.manifests.has(m));
    if (manifests.length > 0) {
      for (const m of manifests) this.manifests.set(m, null);
      for (const m of await db
        .selectFrom("manifests")
        .select(["manifest_id", "facility_id", "party_id", sql<string[]>`doc->'bookingRefs'`.as("refs")])
        .where(sql<boolean>`manifest_id = any(${manifests}::text[])`)
        .execute())
        this.manifests.set(m.manifest_id, {
          facilityId: m.facility_id,
          partyId: m.party_id,
          bookingRefs: Array.isArray(m.refs) ? m.refs : [],
        });
    }
    const asns = keys.asns.filter((a) => !this.asns.has(a));
    if (asns.length > 0) {
      for (const a of asns) this.asns.set(a, null);
      const rows = await db
        .selectFrom("asns")
        .leftJoin("docks", (j) => j.on(sql<boolean>`docks.id = split_part(asns.reserved_by, '/', 1)`))
        .select(["asns.asn_number", "asns.manifest_id", "asns.party_id", "asns.status", "docks.facility_id"])
        .where(sql<boolean>`asns.asn_number = any(${asns}::text[])`)
        .execute();
      for (const a of rows)
        this.asns.set(a.asn_number, {
          manifestId: a.manifest_id,
          partyId: a.party_id,
          status: a.status,
          reservedByFacility: a.facility_id,
        });
      for (const b of await db
        .selectFrom("asn_blocks")
        .select(["asn_number", "dock_id"])
        .where(sql<boolean>`asn_number = any(${asns}::text[])`)
        .execute())
        this.asnBlocks.set(b.asn_number, b.dock_id);
    }
    const worked = keys.workedHubs.filter((d) => !this.workedLookedUp.has(d));
    if (worked.length > 0) await this.lookUpWorked(worked);
    const dispatched = (keys.dispatches ?? []).filter((m) => !this.dispatchLookedUp.has(m));
    if (dispatched.length > 0) await this.lookUpDispatchSmi(dispatched);
  }

  /** Req 10: each dispatched manifest's hubs (stored, or built earlier in this batch) and their SMI updates. */
  private async lookUpDispatchSmi(manifestIds: string[]): Promise<void> {
    const hubsOf = new Map<string, Array<{ deviceId: string; firmwareVersion: string }>>();
    for (const m of manifestIds) {
      const fromBatch = this.batchManifestHubs.get(m);
      if (fromBatch !== undefined) hubsOf.set(m, fromBatch);
    }
    const stored = manifestIds.filter((m) => !hubsOf.has(m));
    if (stored.length > 0)
      for (const r of await this.db
        .selectFrom("manifests")
        .select(["manifest_id", "doc"])
        .where(sql<boolean>`manifest_id = any(${stored}::text[])`)
        .execute()) {
        const doc = ManifestBuiltPayload.safeParse(typeof r.doc === "string" ? JSON.parse(r.doc) : r.doc);
        if (doc.success) hubsOf.set(r.manifest_id, manifestHubs(doc.data));
      }
    // A manifest found nowhere yet is looked up again when named again (its manifest.built may come later in the batch).
    for (const [m, hubs] of hubsOf) {
      this.dispatchLookedUp.add(m);
      this.dispatchSmi.set(m, await smiChecksOf(this.db, hubs));
    }
  }

  /** For hubs a flash or fault names: received here (and not rejected by its receipt), their model, and the catalogue. */
  private async lookUpWorked(hubs: string[]): Promise<void> {
    const db = this.db;
    for (const d of hubs) this.workedLookedUp.add(d);
    const scans = await db
      .selectFrom("events")
      .select(["device_id", "booking_ref"])
      .where(sql<boolean>`device_id = any(${hubs}::text[])`)
      .where("facility_id", "=", this.dock.facilityId)
      .where("type", "=", "scan.recorded")
      .where(sql<string>`payload->'payload'->>'verdict'`, "=", "expected")
      .execute();
    const fromDb = new Map<string, string>();
    for (const s of scans) if (s.device_id !== null && s.booking_ref !== null) fromDb.set(s.device_id, s.booking_ref);
    const refs = [...new Set(fromDb.values())];
    const outcomes =
      refs.length === 0
        ? []
        : await db
            .selectFrom("receipt_outcomes")
            .select(["booking_ref", "outcome", "detail"])
            .where(sql<boolean>`booking_ref = any(${refs}::text[])`)
            .execute();
    const rejected = new Set<string>();
    const wholeRejected = new Set<string>();
    for (const o of outcomes) {
      if (o.outcome === "reject") wholeRejected.add(o.booking_ref);
      const list = (o.detail as { rejectedHubs?: Array<{ deviceId?: unknown }> } | null)?.rejectedHubs ?? [];
      for (const h of list) if (typeof h.deviceId === "string") rejected.add(h.deviceId);
    }
    // The batch's own scans and receipts (noted as admitted) come after what was stored: they win.
    for (const [d, ref] of fromDb)
      if (!this.received.has(d))
        this.received.set(d, { bookingRef: ref, rejected: rejected.has(d) || wholeRejected.has(ref) });
    for (const d of hubs) this.hubModels.set(d, null);
    for (const r of await db
      .selectFrom("inventory")
      .select(["device_id", "device_model"])
      .where(sql<boolean>`device_id = any(${hubs}::text[])`)
      .execute())
      this.hubModels.set(r.device_id, r.device_model);
    if (!this.catalogueLoaded) {
      this.catalogueLoaded = true;
      for (const f of await db.selectFrom("firmware").select(["device_model", "version"]).execute())
        this.catalogue.add(`${f.device_model}/${f.version}`);
    }
  }

  /** An event was admitted: what later events of the batch are judged by changes with it. */
  noteAdmitted(e: DockEvent): void {
    switch (e.type) {
      case "scan.recorded":
        if (e.payload.verdict === "expected" && e.payload.deviceId !== null && !this.received.has(e.payload.deviceId))
          this.received.set(e.payload.deviceId, { bookingRef: e.payload.bookingRef, rejected: false });
        break;
      case "receipt.closed": {
        const ref = e.payload.bookingRef;
        for (const h of e.payload.rejectedHubs) this.received.set(h.deviceId, { bookingRef: ref, rejected: true });
        if (e.payload.outcome === "rejected")
          for (const [d, r] of this.received) if (r.bookingRef === ref) this.received.set(d, { ...r, rejected: true });
        break;
      }
      case "manifest.built":
        this.manifests.set(e.payload.manifestId, {
          facilityId: this.dock.facilityId,
          partyId: e.payload.partyId,
          bookingRefs: e.payload.bookingRefs,
        });
        break;
      case "asn.issued":
        this.asns.set(e.payload.asnNumber, {
          manifestId: e.payload.manifestId,
          partyId: e.payload.partyId,
          status: "issued",
          reservedByFacility: null,
        });
        break;
      case "asn.cancelled": {
        const a = this.asns.get(e.payload.asnNumber);
        if (a) this.asns.set(e.payload.asnNumber, { ...a, status: "cancelled" });
        break;
      }
      default:
        break;
    }
  }
}
