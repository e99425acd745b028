import type { ColumnType, Generated } from "kysely";

/** jsonb: read back parsed; always written as a JSON string (node-postgres would turn a JS array into a PostgreSQL array). */
type JSONColumnType<T> = ColumnType<T, string, string>;
type Json = JSONColumnType<unknown>;

/** The database as Kysely sees it; mirrors migrations/ (keep the two in step). */

/** timestamptz: a Date from both drivers; written as an ISO string or left to its default. */
type Stamp = ColumnType<Date, string | undefined, string>;
type StampNullable = ColumnType<Date | null, string | null | undefined, string | null>;

export interface PartiesTable {
  id: string;
  name: string;
  email: string;
}
export interface PartyLocationsTable {
  id: string;
  party_id: string;
  name: string;
  address: string;
}
export interface FacilitiesTable {
  id: string;
  name: string;
  csp: string;
  max_pallets: number;
  address: string;
}
export interface FacilityLocationsTable {
  id: string;
  facility_id: string;
  name: string;
  address: string;
}
export interface DocksTable {
  id: string;
  facility_id: string;
  name: string;
}
export interface ApiTokensTable {
  token_hash: string;
  kind: "dock" | "party" | "dcc";
  subject_id: string;
  revoked_at: StampNullable;
  created_at: Stamp;
}
export interface JigsTable {
  id: string;
  facility_id: string;
  slots: number;
}
export interface OperatorsTable {
  id: string;
  name: string;
  facility_id: string;
  roles: JSONColumnType<string[]>;
  active: Generated<boolean>;
  /** The PIN's hash (shared/domain/operator-pin.ts `PinHash`), null until a DCC admin sets one. */
  pin_hash: ColumnType<unknown, string | null | undefined, string | null>;
  pin_set_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}
export interface InventoryTable {
  device_id: string;
  gpf_device_id: string;
  device_type: string;
  manufacturer: string;
  device_model: string;
  firmware_version: string;
  smi_status: string;
  assigned_party: string;
  csp_region: string;
  updated_at: Stamp;
  /** Single or Dual Band, from the SMI record; null where the mirror does not know it (migration 0010). */
  han_variant: ColumnType<"single-band" | "dual-band" | null, "single-band" | "dual-band" | null | undefined>;
}
export interface SigningKeysTable {
  key_id: string;
  public_key_pem: string;
  created_at: Stamp;
}
export interface FirmwareTable {
  device_model: string;
  version: string;
  status: "production" | "withdrawn";
  sha256: string;
  size_bytes: number;
  signature: string;
  key_id: string;
  released_at: ColumnType<Date, string, string>;
}
export interface RequestsTable {
  id: string;
  client_request_id: string;
  party_id: string;
  facility_id: string;
  location_id: string;
  delivery_date: string;
  window_start: string;
  window_end: string;
  contact: Json;
  hubs: Json;
  status: "accepted" | "rejected";
  reasons: Json;
  hub_reasons: Json;
  created_at: Stamp;
}
export interface WorkOrdersTable {
  id: string;
  request_id: string;
  party_id: string;
  csp: string;
  facility_id: string;
  status: string;
  purchase_order: string | null;
  created_at: Stamp;
  updated_at: Stamp;
  /** Why it was cancelled or closed from the desk (migration 0011). */
  status_reason: ColumnType<string | null, string | null | undefined, string | null>;
}
export interface WorkOrderLinksTable {
  work_order_id: string;
  kind: string;
  ref: string;
}
export interface BookingsTable {
  booking_ref: string;
  delivery_ref: string;
  work_order_id: string;
  party_id: string;
  facility_id: string;
  status: string;
  version: number;
  doc: Json;
  contact: Json;
  redelivery: ColumnType<unknown, string | null | undefined, string | null>;
  hub_count: number;
  pallet_count: number;
  created_at: Stamp;
  updated_at: Stamp;
}
export interface BookingHubsTable {
  device_id: string;
  booking_ref: string;
  pallet_sscc: string | null;
  /** Null for a hub listed on its pallet alone (migration 0006). */ carton_sscc: string | null;
}
export interface ChangesTable {
  seq: Generated<number>;
  kind: "booking" | "firmware" | "operator";
  key: string;
  facility_id: string | null;
  at: Stamp;
}
export interface EventsTable {
  id: string;
  seq: Generated<number>;
  dock_id: string;
  facility_id: string;
  type: string;
  operator_id: string | null;
  occurred_at: string;
  booking_ref: string | null;
  device_id: string | null;
  content_hash: string;
  payload: Json;
  received_at: Stamp;
}
export interface ReceiptOutcomesTable {
  booking_ref: string;
  outcome: "whole" | "part" | "reject";
  detail: Json;
  event_id: string;
  at: Stamp;
}
export interface FlashResultsTable {
  event_id: string;
  device_id: string;
  booking_ref: string | null;
  ok: boolean;
  from_version: string | null;
  to_version: string | null;
  reason: string | null;
  at: string;
}
export interface FaultReportsTable {
  id: Generated<number>;
  event_id: string;
  device_id: string;
  booking_ref: string | null;
  reason: string;
  manual: boolean;
  at: string;
}
export interface CreditsTable {
  device_id: string;
  party_id: string;
  booking_ref: string | null;
  /** null: not priced, the hub's HAN variant is unknown (migration 0003). */ amount_pence: number | null;
  reason: string;
  event_id: string;
  at: Stamp;
}
/** ASN numbers handed to a dock in a block, ahead of use (migration 0008). */
export interface AsnBlocksTable {
  asn_number: string;
  dock_id: string;
  reserved_by: string;
  reserved_at: Stamp;
}
/** What became of a failed hub, decided once at the DCC desk (migration 0010). */
export interface HubDispositionsTable {
  device_id: string;
  party_id: string;
  booking_ref: string | null;
  manufacturer: string;
  disposition: "scrapped" | "returned-to-manufacturer";
  note: string;
  fault_event_id: string;
  decided_by: string;
  decided_at: Stamp;
}
export interface AsnsTable {
  asn_number: string;
  manifest_id: string;
  party_id: string; /** unverified: the dock's document could not be rebuilt to its recorded hash, so no file was sent. */
  status: "reserved" | "issued" | "unverified" | "cancelled";
  reserved_by: string | null;
  event_id: string | null;
  content: Json;
  created_at: Stamp;
}
export interface ManifestsTable {
  manifest_id: string;
  party_id: string;
  facility_id: string;
  event_id: string;
  doc: Json;
  created_at: Stamp;
}
export interface SmiUpdatesTable {
  id: Generated<number>;
  event_id: string;
  device_id: string;
  booking_ref: string | null;
  device_model: string;
  /** superseded: a later flash of the same hub replaced it before it was emitted or uploaded. */
  new_firmware: string;
  status: "pending" | "emitted" | "uploaded" | "superseded";
  created_at: Stamp;
}
export interface LateArrivalsTable {
  id: Generated<number>;
  booking_ref: string;
  eta_date: string;
  eta_time: string;
  decision: "accepted" | "offered";
  offered: Json;
  created_at: Stamp;
}
export interface AmendmentsTable {
  id: Generated<number>;
  booking_ref: string;
  version: number;
  fields: Json;
  created_at: Stamp;
}
export interface ForecastsTable {
  party_id: string;
  period_start: string;
  hubs: number;
  submitted_at: Stamp;
}
export interface OutboxTable {
  id: Generated<number>;
  kind: string;
  to_address: string;
  subject: string;
  text_body: string;
  attachments: JSONColumnType<Array<{ filename: string; contentType: string; content: string; encoding?: "base64" }>>;
  status: ColumnType<
    "pending" | "sent" | "failed",
    "pending" | "sent" | "failed" | undefined,
    "pending" | "sent" | "failed"
  >;
  attempts: Generated<number>;
  last_error: string | null;
  message_id: string | null;
  next_attempt_at: Stamp;
  created_at: Stamp;
  sent_at: StampNullable;
  /** The Message-ID this notice answers (an emailed request, migration 0011). */
  in_reply_to: ColumnType<string | null, string | null | undefined, string | null>;
}
/** Every message the request mailbox received (migration 0011), by Message-ID: a second delivery is recognised. */
export interface EmailIntakeTable {
  message_id: string;
  sender: string;
  party_id: string | null;
  subject: string;
  outcome: "accepted" | "rejected" | "refused";
  request_id: string | null;
  reasons: JSONColumnType<string[]>;
  received_at: Stamp;
}
/** The Party's dispatch document of Req 4 for one booking (migration 0011). */
export interface DispatchDocumentsTable {
  booking_ref: string;
  party_id: string;
  sent_at: ColumnType<Date, string, string>;
  party_signifier: string;
  pallets: JSONColumnType<Array<{ sscc: string; palletId: string; deviceIds: string[] }>>;
  submitted_by: string;
  submitted_at: Stamp;
}
export interface AuditTable {
  seq: Generated<number>;
  device_id: string;
  actor: string;
  dock_id: string | null;
  /** The facility the row belongs to (migration 0005); a dock reads only its own. */ facility_id: string | null;
  action: string;
  detail: Json;
  at: Stamp;
}

export interface Database {
  parties: PartiesTable;
  party_locations: PartyLocationsTable;
  facilities: FacilitiesTable;
  facility_locations: FacilityLocationsTable;
  docks: DocksTable;
  api_tokens: ApiTokensTable;
  jigs: JigsTable;
  operators: OperatorsTable;
  inventory: InventoryTable;
  signing_keys: SigningKeysTable;
  firmware: FirmwareTable;
  requests: RequestsTable;
  work_orders: WorkOrdersTable;
  work_order_links: WorkOrderLinksTable;
  bookings: BookingsTable;
  booking_hubs: BookingHubsTable;
  changes: ChangesTable;
  events: EventsTable;
  receipt_outcomes: ReceiptOutcomesTable;
  flash_results: FlashResultsTable;
  fault_reports: FaultReportsTable;
  credits: CreditsTable;
  asns: AsnsTable;
  asn_blocks: AsnBlocksTable;
  hub_dispositions: HubDispositionsTable;
  manifests: ManifestsTable;
  smi_updates: SmiUpdatesTable;
  late_arrivals: LateArrivalsTable;
  amendments: AmendmentsTable;
  forecasts: ForecastsTable;
  outbox: OutboxTable;
  audit: AuditTable;
  email_intake: EmailIntakeTable;
  dispatch_documents: DispatchDocumentsTable;
}
