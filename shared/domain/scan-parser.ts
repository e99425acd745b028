/**
 * The one parser every scan source (keyboard wedge, HID-POS, camera) feeds. It decides what
 * a scan is before anything looks at a booking: one of our GS1 labels (booking, pallet,
 * carton, GS1-wrapped hub), a plain Code 128 hub ID, or unreadable with a specific reason.
 * The booking-reference symbol above the SSCC symbol of our pallet and carton labels is read
 * too, and refused by name (see LabelReferenceScan).
 */
import type { ParsedScan, UnreadableCode } from "./scan";
import { BookingRefSchema, CartonNumberSchema } from "./booking";
import { parseDeviceId } from "./device-id";
import {
  AI,
  GS,
  GS1_SYMBOLOGIES,
  LABEL_KIND_VALUES,
  decodeGs1,
  normaliseGroupSeparators,
  ssccProblem,
  type Gs1Element,
} from "./labels";

const AIM_AT_START = /^\][A-Za-z][0-9A-Za-z]/;
const EDGE_NOISE = /^[\s\0]+|[\s\0]+$/g;
/** Our label-kind marker; seen inside another value it means a GS was lost on the way. */
const KIND_MARKER = `${AI.labelKind}RFD`;

/**
 * The upper symbol of a pallet or carton label we print, (37)(400)(91)RFD1-REF. It names no
 * unit, so it is not a `ParsedScan` kind of its own (the event log's scan kinds stay as they
 * are): `parseScan` refuses it by name, and `labelReferenceOf` reads it back where a screen
 * wants to say more (receiving and the outbound load check turn it into `wrong-kind`).
 */
export type LabelReferenceScan = {
  kind: "label-reference";
  raw: string;
  bookingRef: string | null;
  hubCount: number | null;
};

/** The parser's full answer: a `ParsedScan`, or the booking-reference symbol of a label. */
export type ClassifiedScan = ParsedScan | LabelReferenceScan;

/** Classifies one raw scan; never throws, whatever the input. */
export function parseScan(raw: string): ParsedScan {
  const c = classifyScan(raw);
  return c.kind === "label-reference" ? unreadable(c.raw, "unknown-format", labelReferenceReason(c)) : c;
}

/** Like parseScan, but the booking-reference symbol comes back as itself instead of refused. */
export function classifyScan(raw: string): ClassifiedScan {
  try {
    return classify(typeof raw === "string" ? raw : String(raw));
  } catch (e) {
    // Defensive only: classify is written not to throw, but a scan must never crash the dock.
    return unreadable(
      String(raw),
      "unknown-format",
      `could not be read (${e instanceof Error ? e.message : String(e)})`,
    );
  }
}

/**
 * The booking-reference symbol behind a scan that parseScan refused for being one, or null.
 * Only refusals are read again, so this costs nothing on the scans that count.
 */
export function labelReferenceOf(scan: ParsedScan): LabelReferenceScan | null {
  if (scan.kind !== "unreadable" || scan.code !== "unknown-format") return null;
  const c = classifyScan(scan.raw);
  return c.kind === "label-reference" ? c : null;
}

/** What the booking-reference symbol holds, in words: "booking BK-1234, 32 hubs". */
export function describeLabelReference(ref: { bookingRef: string | null; hubCount: number | null }): string {
  const parts: string[] = [];
  if (ref.bookingRef !== null) parts.push(`booking ${ref.bookingRef}`);
  if (ref.hubCount !== null) parts.push(`${ref.hubCount} hub${ref.hubCount === 1 ? "" : "s"}`);
  return parts.join(", ");
}

function labelReferenceReason(ref: LabelReferenceScan): string {
  return `this is the booking-reference barcode of a label (${describeLabelReference(ref)}), not a pallet, carton or hub: scan the SSCC barcode (the bottom one)`;
}

function classify(raw: string): ClassifiedScan {
  const trimmed = raw.replace(EDGE_NOISE, "");
  if (trimmed.length === 0)
    return unreadable(
      raw,
      "empty",
      raw.length === 0 ? "nothing was scanned" : "the scan held only spaces or line ends",
    );
  const aim = AIM_AT_START.test(trimmed) ? trimmed.slice(0, 3) : null;
  const body = normaliseGroupSeparators(aim ? trimmed.slice(3) : trimmed).replace(EDGE_NOISE, "");
  if (body.length === 0) return unreadable(raw, "empty", `only the scanner prefix ${aim ?? ""} arrived`);

  // A hub ID is tried first, even under `]C1`: SECMP0014 says hub IDs are printed as "EAN 128",
  // so a manufacturer's symbol may carry a leading FNC1 around bare hex. None of our GS1 labels
  // can pass as a hub ID (each ends in (91)RFD1-…), so this never shadows one of them.
  if (!body.includes(GS) && !body.startsWith("(")) {
    const id = parseDeviceId(body);
    if (id.ok) return { kind: "hub", raw, deviceId: id.deviceId };
  }
  // Digits only, 17-21 long, not a hub ID: an SSCC with or without its (00), read as one so a
  // digit too many or too few, or a wrong check digit, is named as the SSCC's fault.
  if (/^\d{17,21}$/.test(body) && !(body.length >= 19 && !body.startsWith("00"))) {
    if (body.length === 18 || body.length === 17) {
      const problem = ssccProblem(body);
      if (problem) return unreadable(raw, problem.code, problem.reason);
      return { kind: "sscc", raw, sscc: body };
    }
    return classifyGs1(raw, `${aim ?? ""}${body}`);
  }
  const gs1 =
    (aim !== null && GS1_SYMBOLOGIES.has(aim)) ||
    body.includes(GS) ||
    /^\(\d{2,4}\)/.test(body) ||
    // An SSCC element string is at least 20 digits; no hub ID notation looks like that.
    /^\d{20}/.test(body);
  if (!gs1) {
    const id = parseDeviceId(body);
    if (id.ok) return { kind: "hub", raw, deviceId: id.deviceId };
    if (body.includes(KIND_MARKER)) return lostSeparator(raw);
    const upper = body.toUpperCase();
    if (CartonNumberSchema.safeParse(upper).success) return { kind: "carton-number", raw, cartonNumber: upper };
    return unreadable(raw, id.code, `not a hub ID or a label: ${id.reason}`);
  }
  return classifyGs1(raw, trimmed);
}

function classifyGs1(raw: string, trimmed: string): ClassifiedScan {
  const decoded = decodeGs1(trimmed);
  if (!decoded.ok) {
    if (trimmed.includes(KIND_MARKER) && decoded.code !== "bad-check-digit") return lostSeparator(raw);
    return unreadable(raw, decoded.code, decoded.reason);
  }
  const el = (ai: string): string | undefined => decoded.elements.find((e) => e.ai === ai)?.value;
  const kind = el(AI.labelKind);

  if (kind === undefined) {
    // A value swallowing "91RFD…" means the scanner dropped the GS before our kind marker.
    if (decoded.elements.some((e) => e.value.includes(KIND_MARKER))) return lostSeparator(raw);
    const hub = el(AI.hubDeviceId);
    if (hub !== undefined && decoded.elements.length === 1) return hubFrom(raw, hub);
    // Any valid SSCC is a logistic unit (the Party's or supplier's label): what it is comes from
    // the booking lookup. Other elements on the label (a GTIN, a count, a batch) are not ours to read.
    const sscc = el(AI.sscc);
    if (sscc !== undefined) return { kind: "sscc", raw, sscc };
    return unreadable(raw, "unknown-format", `a GS1 barcode with ${aiList(decoded.elements)}, not one of our labels`);
  }
  if (!kind.startsWith("RFD"))
    return unreadable(
      raw,
      "unknown-format",
      `AI (91) holds "${kind}", another company's internal data, not one of our label kinds`,
    );

  const bookingRef = el(AI.bookingRef);
  if (bookingRef !== undefined && !BookingRefSchema.safeParse(bookingRef).success)
    return unreadable(raw, "bad-characters", `booking reference "${bookingRef}" is not 4-20 of A-Z, 0-9, -`);

  switch (kind) {
    case LABEL_KIND_VALUES["booking-label"]: {
      const deliveryRef = el(AI.deliveryRef);
      if (bookingRef === undefined)
        return unreadable(raw, "malformed-gs1", "booking label without a booking reference (AI 400)");
      if (deliveryRef === undefined)
        return unreadable(raw, "malformed-gs1", "booking label without a delivery reference (AI 92)");
      if (!BookingRefSchema.safeParse(deliveryRef).success)
        return unreadable(raw, "bad-characters", `delivery reference "${deliveryRef}" is not 4-20 of A-Z, 0-9, -`);
      return { kind: "booking-label", raw, bookingRef, deliveryRef };
    }
    case LABEL_KIND_VALUES.pallet: {
      const sscc = el(AI.sscc);
      if (sscc === undefined) return unreadable(raw, "malformed-gs1", "pallet label without an SSCC (AI 00)");
      return { kind: "pallet", raw, sscc, bookingRef: bookingRef ?? null };
    }
    case LABEL_KIND_VALUES.carton: {
      const sscc = el(AI.sscc);
      if (sscc === undefined) return unreadable(raw, "malformed-gs1", "carton label without an SSCC (AI 00)");
      const count = el(AI.hubCount);
      return {
        kind: "carton",
        raw,
        sscc,
        bookingRef: bookingRef ?? null,
        hubCount: count === undefined ? null : Number(count),
      };
    }
    case LABEL_KIND_VALUES["label-reference"]: {
      if (el(AI.sscc) !== undefined)
        return unreadable(
          raw,
          "malformed-gs1",
          "a booking-reference barcode (RFD1-REF) carrying an SSCC (AI 00): not a label we print",
        );
      const count = el(AI.hubCount);
      if (bookingRef === undefined && count === undefined)
        return unreadable(
          raw,
          "malformed-gs1",
          "booking-reference barcode without a booking reference (AI 400) or a hub count (AI 37)",
        );
      return {
        kind: "label-reference",
        raw,
        bookingRef: bookingRef ?? null,
        hubCount: count === undefined ? null : Number(count),
      };
    }
    case LABEL_KIND_VALUES.hub: {
      const hub = el(AI.hubDeviceId);
      if (hub === undefined) return unreadable(raw, "malformed-gs1", "hub label without a device ID (AI 93)");
      return hubFrom(raw, hub);
    }
    default:
      return unreadable(raw, "unknown-format", `label kind "${kind}" is not one this version of the app knows`);
  }
}

function hubFrom(raw: string, value: string): ParsedScan {
  const id = parseDeviceId(value);
  if (id.ok) return { kind: "hub", raw, deviceId: id.deviceId };
  return unreadable(raw, id.code, `hub label (AI 93): ${id.reason}`);
}

function lostSeparator(raw: string): ParsedScan {
  return unreadable(
    raw,
    "malformed-gs1",
    "a GS separator is missing before the label kind (AI 91): the scanner is not sending FNC1 - run the scanner set-up sheet",
  );
}

function aiList(elements: Gs1Element[]): string {
  return elements.map((e) => `(${e.ai})`).join("");
}

function unreadable(raw: string, code: UnreadableCode, reason: string): ParsedScan {
  return { kind: "unreadable", raw, code, reason };
}
