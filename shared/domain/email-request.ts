import { RequestDetailsSchema, type RequestDetails } from "../desk-api";

/**
 * A request by email (issue 19, PIA 6.2.4 "Parties interact with DCC via email"): the filled
 * template is attached, and the delivery details the portal asks on its page are written in
 * the message as `Name: value` lines, one per line, in any order and letter case:
 *
 *     Facility: FAC-N1
 *     Arrival location: LOC-N1-GOODS-IN
 *     Arrival date: 2026-12-10
 *     Arrival window: 08:00-10:00
 *     Re-delivery location: PL-A-DEPOT
 *     Re-delivery date: 2026-12-15
 *     Re-delivery window: 10:00-12:00
 *     Contact name: Sam Jones
 *     Contact phone: 0161 496 0000
 *     Contact email: sam@party.example      (optional: the sender)
 *
 * Other lines (a greeting, a signature, the quoted message of a reply) are ignored. Pure.
 */

export const EMAIL_DETAIL_FIELDS = [
  ["facility", "Facility"],
  ["arrivallocation", "Arrival location"],
  ["arrivaldate", "Arrival date"],
  ["arrivalwindow", "Arrival window"],
  ["redeliverylocation", "Re-delivery location"],
  ["redeliverydate", "Re-delivery date"],
  ["redeliverywindow", "Re-delivery window"],
  ["contactname", "Contact name"],
  ["contactphone", "Contact phone"],
  ["contactemail", "Contact email"],
] as const;
type FieldKey = (typeof EMAIL_DETAIL_FIELDS)[number][0];
const LABEL = new Map<string, string>(EMAIL_DETAIL_FIELDS);

/** The lines to copy into a message: what the refusal of a message without them shows. */
export const EMAIL_DETAILS_EXAMPLE = [
  "Facility: <facility id>",
  "Arrival location: <arrival location id>",
  "Arrival date: YYYY-MM-DD",
  "Arrival window: HH:MM-HH:MM",
  "Re-delivery location: <your listed location id>",
  "Re-delivery date: YYYY-MM-DD",
  "Re-delivery window: HH:MM-HH:MM",
  "Contact name: <name>",
  "Contact phone: <phone>",
].join("\n");

export type EmailDetails = { ok: true; details: RequestDetails } | { ok: false; problems: string[] };

const keyOf = (name: string) => name.toLowerCase().replace(/[^a-z]/g, "");

function windowOf(v: string): { start: string; end: string } | string {
  const m = /^(\d{1,2}:\d{2})\s*(?:-|–|—|to)\s*(\d{1,2}:\d{2})$/i.exec(v.trim());
  if (!m?.[1] || !m[2]) return v;
  const pad = (t: string) => (t.length === 4 ? `0${t}` : t);
  return { start: pad(m[1]), end: pad(m[2]) };
}

/** The delivery details written in a message's text; `sender` stands for the contact email when none is given. */
export function parseEmailDetails(text: string, sender: string): EmailDetails {
  const found = new Map<FieldKey, string>();
  const problems: string[] = [];
  for (const raw of text.split(/\r\n|\r|\n/)) {
    if (raw === "-- ") break; // the signature delimiter (RFC 3676): nothing after it is the request
    const line = raw.trim();
    if (line.startsWith(">")) continue; // the quoted message of a reply
    const m = /^([A-Za-z][A-Za-z \t_-]{0,40}?)\s*:\s*(.*)$/.exec(line);
    if (!m?.[1] || m[2] === undefined) continue;
    const key = keyOf(m[1]);
    if (!LABEL.has(key)) continue;
    const value = m[2].trim();
    const prior = found.get(key as FieldKey);
    if (prior !== undefined && prior !== value)
      problems.push(`"${LABEL.get(key)}" is given twice, as "${prior}" and "${value}"; give it once`);
    found.set(key as FieldKey, value);
  }
  const missing = EMAIL_DETAIL_FIELDS.filter(([k]) => k !== "contactemail" && !(found.get(k) ?? "")).map(
    ([, label]) => label,
  );
  if (missing.length > 0) problems.push(`the message does not say: ${missing.join(", ")}`);
  if (problems.length > 0) return { ok: false, problems };
  const get = (k: FieldKey) => found.get(k) ?? "";
  const candidate = {
    facilityId: get("facility").toUpperCase(),
    deliveryLocationId: get("arrivallocation").toUpperCase(),
    deliveryDate: get("arrivaldate"),
    deliveryWindow: windowOf(get("arrivalwindow")),
    redelivery: {
      locationId: get("redeliverylocation").toUpperCase(),
      deliveryDate: get("redeliverydate"),
      deliveryWindow: windowOf(get("redeliverywindow")),
    },
    contact: { name: get("contactname"), email: get("contactemail") || sender, phone: get("contactphone") },
  };
  const parsed = RequestDetailsSchema.safeParse(candidate);
  if (parsed.success) return { ok: true, details: parsed.data };
  const where: Record<string, string> = {
    facilityId: "Facility",
    deliveryLocationId: "Arrival location",
    deliveryDate: "Arrival date",
    deliveryWindow: "Arrival window",
    "redelivery.locationId": "Re-delivery location",
    "redelivery.deliveryDate": "Re-delivery date",
    "redelivery.deliveryWindow": "Re-delivery window",
    "contact.name": "Contact name",
    "contact.email": "Contact email",
    "contact.phone": "Contact phone",
  };
  const seen = new Set<string>();
  for (const issue of parsed.error.issues) {
    const path = issue.path.map(String);
    const label = where[path.join(".")] ?? where[path.slice(0, 2).join(".")] ?? where[path[0] ?? ""] ?? path.join(".");
    if (seen.has(label)) continue;
    seen.add(label);
    const window = /window/i.test(label);
    problems.push(
      window ? `"${label}" must be a time window such as 08:00-10:00` : `"${label}": ${issue.message.toLowerCase()}`,
    );
  }
  return { ok: false, problems };
}
