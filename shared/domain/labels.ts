/**
 * The barcode payloads Re-Flash Dock defines for booking, pallet, carton and hub labels,
 * modelled on GS1-128 (see docs/labels.md for every payload, AI by AI).
 *
 * Why hand-written rather than a GS1 library: we looked at the npm parsers named in
 * PEERS.md. `gs1-barcode-parser-mod` (1.2.1) strips `]C1` and splits on GS, but it never
 * verifies a check digit (an SSCC with a wrong check digit parses as good), reports errors by
 * throwing bare strings, ships no types, and knows nothing of FNC1 mis-mappings or of a
 * lost GS; `bark-js` (1.2.1, last release 2024) has the same gaps; `gs1js` is a 0.0.2
 * prototype. GS1's own syntax engine is not on npm. What we need is small: split an
 * element string by the GS1 AI-length tables, verify the mod-10 check digit, and read the
 * handful of AIs our labels use. That is ~200 lines we can test exhaustively, against a
 * library that would still need the check-digit and error layer written around it.
 */
import type { UnreadableCode } from "./scan";
import { BookingRefSchema, SsccSchema } from "./booking";
import { parseDeviceId, stripScannerNoise, describeChar } from "./device-id";

/** ASCII group separator: how a scanner transmits an FNC1 that separates two elements. */
export const GS = "\x1d";
/** AIM symbology identifier of GS1-128 (Code 128 with FNC1 in first position). */
export const GS1_128_PREFIX = "]C1";

/** The company-internal AIs this project assigns (GS1 leaves 91-99 to each company). */
export const AI = {
  sscc: "00",
  hubCount: "37",
  bookingRef: "400",
  labelKind: "91",
  deliveryRef: "92",
  hubDeviceId: "93",
} as const;

/**
 * AI (91) values: "RFD" names us (other companies use 91 too), "1" the layout version.
 * `label-reference` is the upper symbol of a pallet or carton label we print: it carries the
 * booking ref and hub count, so the SSCC symbol below it stays short (docs/labels.md).
 */
export const LABEL_KIND_VALUES = {
  "booking-label": "RFD1-BKG",
  pallet: "RFD1-PAL",
  carton: "RFD1-CTN",
  hub: "RFD1-HUB",
  "label-reference": "RFD1-REF",
} as const;
export type LabelKind = keyof typeof LABEL_KIND_VALUES;

export type Gs1Element = { ai: string; value: string };
export type Gs1Error = { ok: false; code: UnreadableCode; reason: string };
export type Gs1Decoded = {
  ok: true;
  /** The AIM symbology identifier the scanner sent, if any (e.g. "]C1"). */
  symbology: string | null;
  /** "element-string" when read from a barcode, "hri" when typed as "(00)…(91)…". */
  form: "element-string" | "hri";
  elements: Gs1Element[];
};
export type LabelError = { ok: false; reason: string };
export type EncodedLabel = {
  ok: true;
  /** Exactly what a correctly set-up scanner delivers: `]C1`, then elements, GS between. */
  scan: string;
  /** Human-readable interpretation printed under the bars: "(00)…(400)…(91)…". */
  hri: string;
  elements: Gs1Element[];
};

// ---------------------------------------------------------------- check digits and SSCC

/** GS1 mod-10 check digit of a digit string (weights 3,1,3,… from the right). */
export function gs1CheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const d = body.charCodeAt(body.length - 1 - i) - 48;
    sum += i % 2 === 0 ? 3 * d : d;
  }
  return (10 - (sum % 10)) % 10;
}

/** Check digit of the 17-digit SSCC body (extension digit + company prefix + serial). */
export function ssccCheckDigit(body17: string): number {
  return gs1CheckDigit(body17);
}

/** True for 18 digits whose last is the GS1 check digit of the first 17. */
export function isValidSscc(s: string): boolean {
  return typeof s === "string" && /^\d{18}$/.test(s) && ssccCheckDigit(s.slice(0, 17)) === Number(s[17]);
}

/**
 * Builds an SSCC: `extensionDigit` (0-9, the packer's choice) + the 16 digits of GS1
 * company prefix and serial reference (their split depends on the prefix length, which
 * GS1 allocates; we need not know it) + the computed check digit.
 */
export function makeSscc(companyPrefixAndSerial: string, extensionDigit = 0): { ok: true; sscc: string } | LabelError {
  if (!Number.isInteger(extensionDigit) || extensionDigit < 0 || extensionDigit > 9)
    return { ok: false, reason: `extension digit must be 0-9, got ${String(extensionDigit)}` };
  if (!/^\d{16}$/.test(companyPrefixAndSerial))
    return { ok: false, reason: `company prefix + serial must be 16 digits, got "${companyPrefixAndSerial}"` };
  const body = `${extensionDigit}${companyPrefixAndSerial}`;
  return { ok: true, sscc: `${body}${ssccCheckDigit(body)}` };
}

/** Explains why a string is not a valid SSCC, or returns null when it is one. */
export function ssccProblem(s: string): Gs1Error | null {
  if (!/^\d*$/.test(s)) {
    const bad = [...s].find((c) => c < "0" || c > "9") ?? "";
    return { ok: false, code: "bad-characters", reason: `SSCC ${describeChar(bad)} is not a digit` };
  }
  if (s.length !== 18) return { ok: false, code: "wrong-length", reason: `SSCC has ${s.length} digits, needs 18` };
  const want = ssccCheckDigit(s.slice(0, 17));
  if (want !== Number(s[17]))
    return { ok: false, code: "bad-check-digit", reason: `SSCC check digit is ${want}, label says ${s[17]}` };
  return null;
}

// ---------------------------------------------------------------- the AI tables

/**
 * Digits in an AI, by its first two digits (GS1 General Specifications, AI table).
 * Prefixes absent here are unassigned, so an element string using one cannot be split.
 */
const AI_LENGTH_BY_PREFIX: Record<string, number> = (() => {
  const t: Record<string, number> = {};
  const set = (from: number, to: number, len: number): void => {
    for (let p = from; p <= to; p++) t[String(p).padStart(2, "0")] = len;
  };
  set(0, 4, 2);
  set(10, 22, 2);
  set(23, 25, 3);
  set(30, 30, 2);
  set(31, 36, 4);
  set(37, 37, 2);
  set(39, 39, 4);
  set(40, 42, 3);
  set(43, 43, 4);
  set(70, 70, 4);
  set(71, 71, 3);
  set(72, 72, 4);
  set(80, 82, 4);
  set(90, 99, 2);
  return t;
})();

/**
 * Data length of the AIs GS1 predefines as fixed (they need no GS after them), by the
 * first two digits of the AI. Every other AI is variable-length and ends at a GS.
 */
const PREDEFINED_DATA_LENGTH: Record<string, number> = {
  "00": 18,
  "01": 14,
  "02": 14,
  "03": 14,
  "04": 16,
  "11": 6,
  "12": 6,
  "13": 6,
  "14": 6,
  "15": 6,
  "16": 6,
  "17": 6,
  "18": 6,
  "19": 6,
  "20": 2,
  "31": 6,
  "32": 6,
  "33": 6,
  "34": 6,
  "35": 6,
  "36": 6,
  "41": 13,
};

type AiRule = { title: string; numeric: boolean; min: number; max: number; checkDigit: boolean };
/** The AIs whose content we check; any other assigned AI is split correctly and passed on. */
const AI_RULES: Record<string, AiRule> = {
  "00": { title: "SSCC", numeric: true, min: 18, max: 18, checkDigit: true },
  "01": { title: "GTIN", numeric: true, min: 14, max: 14, checkDigit: true },
  "02": { title: "GTIN of contained items", numeric: true, min: 14, max: 14, checkDigit: true },
  "37": { title: "count of items", numeric: true, min: 1, max: 8, checkDigit: false },
  "400": { title: "order number", numeric: false, min: 1, max: 30, checkDigit: false },
  "90": { title: "internal", numeric: false, min: 1, max: 30, checkDigit: false },
  ...Object.fromEntries(
    ["91", "92", "93", "94", "95", "96", "97", "98", "99"].map((ai) => [
      ai,
      { title: "company internal", numeric: false, min: 1, max: 90, checkDigit: false },
    ]),
  ),
};

/** GS1 character set 82: the only characters an alphanumeric AI value may hold. */
const CSET82 = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*$/;

// ---------------------------------------------------------------- encoding

/** Writes elements as the scanner delivers them and as the human-readable line. */
function render(elements: Gs1Element[]): EncodedLabel {
  let scan = GS1_128_PREFIX;
  elements.forEach((e, i) => {
    scan += e.ai + e.value;
    const last = i === elements.length - 1;
    if (!last && PREDEFINED_DATA_LENGTH[e.ai.slice(0, 2)] === undefined) scan += GS;
  });
  return { ok: true, scan, hri: elements.map((e) => `(${e.ai})${e.value}`).join(""), elements };
}

function checkRef(what: string, ref: string): LabelError | null {
  return BookingRefSchema.safeParse(ref).success
    ? null
    : { ok: false, reason: `${what} "${ref}" is not 4-20 of A-Z, 0-9, -` };
}

function checkSscc(sscc: string): LabelError | null {
  if (!SsccSchema.safeParse(sscc).success) return { ok: false, reason: `SSCC "${sscc}" is not 18 digits` };
  const p = ssccProblem(sscc);
  return p ? { ok: false, reason: p.reason } : null;
}

function checkCount(n: number | null | undefined): LabelError | null {
  return n != null && (!Number.isInteger(n) || n < 0 || n > 99_999_999)
    ? { ok: false, reason: `hub count ${n} is not a whole number 0-99999999` }
    : null;
}

/** The label printed per delivery (Req 3): booking ref (400), delivery ref (92), kind (91). */
export function encodeBookingLabel(input: { bookingRef: string; deliveryRef: string }): EncodedLabel | LabelError {
  const bad = checkRef("booking reference", input.bookingRef) ?? checkRef("delivery reference", input.deliveryRef);
  if (bad) return bad;
  return render([
    { ai: AI.bookingRef, value: input.bookingRef },
    { ai: AI.deliveryRef, value: input.deliveryRef },
    { ai: AI.labelKind, value: LABEL_KIND_VALUES["booking-label"] },
  ]);
}

/** A pallet label (Req 4): SSCC (00), optional booking ref (400), kind (91). */
export function encodePalletLabel(input: { sscc: string; bookingRef?: string | null }): EncodedLabel | LabelError {
  const bad =
    checkSscc(input.sscc) ?? (input.bookingRef != null ? checkRef("booking reference", input.bookingRef) : null);
  if (bad) return bad;
  const elements: Gs1Element[] = [{ ai: AI.sscc, value: input.sscc }];
  if (input.bookingRef != null) elements.push({ ai: AI.bookingRef, value: input.bookingRef });
  elements.push({ ai: AI.labelKind, value: LABEL_KIND_VALUES.pallet });
  return render(elements);
}

/** A carton label: SSCC (00), optional hub count (37), optional booking ref (400), kind (91). */
export function encodeCartonLabel(input: {
  sscc: string;
  bookingRef?: string | null;
  hubCount?: number | null;
}): EncodedLabel | LabelError {
  const bad =
    checkSscc(input.sscc) ?? (input.bookingRef != null ? checkRef("booking reference", input.bookingRef) : null);
  if (bad) return bad;
  const countBad = checkCount(input.hubCount);
  if (countBad) return countBad;
  const n = input.hubCount;
  const elements: Gs1Element[] = [{ ai: AI.sscc, value: input.sscc }];
  if (n != null) elements.push({ ai: AI.hubCount, value: String(n) });
  if (input.bookingRef != null) elements.push({ ai: AI.bookingRef, value: input.bookingRef });
  elements.push({ ai: AI.labelKind, value: LABEL_KIND_VALUES.carton });
  return render(elements);
}

/**
 * The booking-reference symbol printed above the SSCC symbol of our own pallet and carton
 * labels: optional hub count (37), optional booking ref (400), kind (91)RFD1-REF; at least one
 * of the two. It names no unit, so a scanner aimed at it is told to scan the SSCC symbol.
 */
export function encodeLabelReference(input: {
  bookingRef?: string | null;
  hubCount?: number | null;
}): EncodedLabel | LabelError {
  const bad =
    (input.bookingRef != null ? checkRef("booking reference", input.bookingRef) : null) ?? checkCount(input.hubCount);
  if (bad) return bad;
  if (input.bookingRef == null && input.hubCount == null)
    return { ok: false, reason: "a booking-reference barcode needs a booking reference or a hub count" };
  const elements: Gs1Element[] = [];
  if (input.hubCount != null) elements.push({ ai: AI.hubCount, value: String(input.hubCount) });
  if (input.bookingRef != null) elements.push({ ai: AI.bookingRef, value: input.bookingRef });
  elements.push({ ai: AI.labelKind, value: LABEL_KIND_VALUES["label-reference"] });
  return render(elements);
}

/** The symbols of a pallet or carton label as we print it (GS1 Logistic Label guideline: the SSCC symbol lowest). */
export type LogisticLabelSymbols = {
  ok: true;
  /** The lower symbol: (00) SSCC and (91) kind only, short enough for GS1's 0.495 mm X dimension on 6 in. */
  sscc: EncodedLabel;
  /** The upper symbol: (37) count, (400) booking ref, (91)RFD1-REF; null when there is neither. */
  reference: EncodedLabel | null;
};

/**
 * Splits a pallet or carton label into its two symbols. The one-symbol payloads
 * (encodePalletLabel / encodeCartonLabel with a booking ref) stay valid and are still read:
 * Parties print them, and older labels carry them.
 */
export function encodeLogisticLabelSymbols(
  input:
    | { kind: "pallet"; sscc: string; bookingRef?: string | null }
    | { kind: "carton"; sscc: string; bookingRef?: string | null; hubCount?: number | null },
): LogisticLabelSymbols | LabelError {
  const hubCount = input.kind === "carton" ? (input.hubCount ?? null) : null;
  const bookingRef = input.bookingRef ?? null;
  const sscc =
    input.kind === "pallet" ? encodePalletLabel({ sscc: input.sscc }) : encodeCartonLabel({ sscc: input.sscc });
  if (!sscc.ok) return sscc;
  if (bookingRef === null && hubCount === null) return { ok: true, sscc, reference: null };
  const reference = encodeLabelReference({ bookingRef, hubCount });
  if (!reference.ok) return reference;
  return { ok: true, sscc, reference };
}

/** A GS1-wrapped hub ID: EUI-64 as 16 upper-case hex digits in (93), kind (91). */
export function encodeHubLabel(input: { deviceId: string }): EncodedLabel | LabelError {
  const id = parseDeviceId(input.deviceId);
  if (!id.ok) return { ok: false, reason: `device ID: ${id.reason}` };
  return render([
    { ai: AI.hubDeviceId, value: id.deviceId.replaceAll("-", "") },
    { ai: AI.labelKind, value: LABEL_KIND_VALUES.hub },
  ]);
}

/**
 * The data to hand JsBarcode (format "CODE128", option `ean128: true`, which adds the
 * leading FNC1): the `]C1` prefix is the scanner's, not the symbol's, and each GS becomes
 * JsBarcode's FNC1 character (U+00CF).
 */
export function code128Data(label: EncodedLabel): string {
  return label.scan.slice(GS1_128_PREFIX.length).replaceAll(GS, "\u00cf");
}

// ---------------------------------------------------------------- decoding

/**
 * How misconfigured scanners and keyboard wedges deliver FNC1. Each is safe because it
 * holds a character that GS1 data may never contain (outside character set 82): `^]`
 * (caret notation of Ctrl+]), the literal text `\x1D`/`\u001D`, `{GS}`, `[GS]`, and U+241D
 * (the visible "GS" symbol). `<GS>` is the exception: `<`, `>`, `G`, `S` are legal data, but
 * no value we define can hold `<`, and a third-party value holding "<GS>" would fail to
 * split cleanly rather than misread, so we accept it too.
 */
const GS_MISMAPPINGS = /\^\]|\\x1d|\\u001d|\{GS\}|\[GS\]|<GS>|\u241d/gi;

/** Replaces the known textual stand-ins for FNC1 with a real GS. */
export function normaliseGroupSeparators(s: string): string {
  return s.replace(GS_MISMAPPINGS, GS);
}

const AIM_AT_START = /^\][A-Za-z][0-9A-Za-z]/;
/** AIM identifiers of symbologies that carry GS1 element strings. */
export const GS1_SYMBOLOGIES = new Set(["]C1", "]e0", "]e1", "]e2", "]d2", "]Q3", "]J1"]);

/** Splits a scanned GS1 payload into AI → value pairs, or says precisely what is wrong. */
export function decodeGs1(raw: string): Gs1Decoded | Gs1Error {
  if (typeof raw !== "string" || raw.length === 0) return gErr("empty", "nothing was scanned");
  const trimmed = raw.replace(/^[\s\0]+|[\s\0]+$/g, "");
  const symbology = AIM_AT_START.test(trimmed) ? trimmed.slice(0, 3) : null;
  let body = normaliseGroupSeparators(stripScannerNoise(trimmed));
  // Some scanners send the leading FNC1 as a GS when the AIM prefix is off; trailing ones are noise.
  body = body.replace(/^\x1d+|\x1d+$/g, "");
  if (body.length === 0) return gErr("empty", "the scan held only a prefix or separators");
  if (body.startsWith("(")) return decodeHri(body, symbology);
  return decodeElementString(body, symbology);
}

function decodeElementString(s: string, symbology: string | null): Gs1Decoded | Gs1Error {
  const elements: Gs1Element[] = [];
  let pos = 0;
  while (pos < s.length) {
    if (s[pos] === GS) {
      pos++; // a GS after a fixed-length element is allowed, and doubled GS is harmless
      continue;
    }
    const ai = readAi(s, pos);
    if (!ai.ok) return ai;
    const start = pos + ai.ai.length;
    const fixed = PREDEFINED_DATA_LENGTH[ai.ai.slice(0, 2)];
    let value: string;
    if (fixed !== undefined) {
      value = s.slice(start, start + fixed);
      const gsAt = value.indexOf(GS);
      if (gsAt >= 0 || value.length < fixed) {
        const got = gsAt >= 0 ? gsAt : value.length;
        return gErr("wrong-length", `AI (${ai.ai}) ${titleOf(ai.ai)} has ${got} characters, needs ${fixed}`);
      }
      pos = start + fixed;
    } else {
      const end = s.indexOf(GS, start);
      value = s.slice(start, end < 0 ? s.length : end);
      pos = end < 0 ? s.length : end + 1;
    }
    const bad = addElement(elements, ai.ai, value);
    if (bad) return bad;
  }
  if (elements.length === 0) return gErr("malformed-gs1", "no GS1 elements in the scan");
  return { ok: true, symbology, form: "element-string", elements };
}

function decodeHri(s: string, symbology: string | null): Gs1Decoded | Gs1Error {
  const elements: Gs1Element[] = [];
  const part = /\((\d{2,4})\)([^()]*)/y;
  let pos = 0;
  while (pos < s.length) {
    part.lastIndex = pos;
    const m = part.exec(s);
    if (!m) return gErr("malformed-gs1", `human-readable form breaks at character ${pos + 1}: expected "(AI)value"`);
    const ai = m[1] ?? "";
    const known = readAi(ai, 0);
    if (!known.ok) return known;
    if (known.ai !== ai)
      return gErr("unknown-ai", `(${ai}) is not an AI: AIs starting ${ai.slice(0, 2)} have ${known.ai.length} digits`);
    // Printed HRI groups digits with spaces; spaces are never GS1 data, so dropping them is safe.
    const value = (m[2] ?? "").replace(/ /g, "");
    const fixed = PREDEFINED_DATA_LENGTH[ai.slice(0, 2)];
    if (fixed !== undefined && value.length !== fixed)
      return gErr("wrong-length", `AI (${ai}) ${titleOf(ai)} has ${value.length} characters, needs ${fixed}`);
    const bad = addElement(elements, ai, value);
    if (bad) return bad;
    pos = part.lastIndex;
  }
  return { ok: true, symbology, form: "hri", elements };
}

function readAi(s: string, pos: number): { ok: true; ai: string } | Gs1Error {
  const two = s.slice(pos, pos + 2);
  if (!/^\d\d$/.test(two)) {
    const ch = /^\d/.test(two) ? two.slice(1) : two.slice(0, 1);
    return gErr(
      "malformed-gs1",
      `expected an AI (digits) at character ${pos + 1}, found ${ch ? describeChar(ch) : "the end"}`,
    );
  }
  const len = AI_LENGTH_BY_PREFIX[two];
  if (len === undefined) return gErr("unknown-ai", `no GS1 AI starts with ${two} (at character ${pos + 1})`);
  const ai = s.slice(pos, pos + len);
  if (!new RegExp(`^\\d{${len}}$`).test(ai))
    return gErr("malformed-gs1", `AI starting ${two} needs ${len} digits, found "${ai}"`);
  return { ok: true, ai };
}

function addElement(elements: Gs1Element[], ai: string, value: string): Gs1Error | null {
  if (elements.some((e) => e.ai === ai)) return gErr("malformed-gs1", `AI (${ai}) appears twice`);
  if (value.length === 0) return gErr("malformed-gs1", `AI (${ai}) ${titleOf(ai)} is empty`);
  const rule = AI_RULES[ai];
  if (rule?.numeric || PREDEFINED_DATA_LENGTH[ai.slice(0, 2)] !== undefined) {
    const bad = [...value].find((c) => c < "0" || c > "9");
    if (bad !== undefined)
      return gErr("bad-characters", `AI (${ai}) ${titleOf(ai)}: ${describeChar(bad)} is not a digit`);
  } else if (!CSET82.test(value)) {
    const bad = [...value].find((c) => !CSET82.test(c)) ?? "";
    return gErr("bad-characters", `AI (${ai}) ${titleOf(ai)}: ${describeChar(bad)} is not allowed in GS1 data`);
  }
  if (rule) {
    if (value.length < rule.min || value.length > rule.max) {
      const need = rule.min === rule.max ? `${rule.min}` : `${rule.min}-${rule.max}`;
      return gErr("wrong-length", `AI (${ai}) ${rule.title} has ${value.length} characters, needs ${need}`);
    }
    if (rule.checkDigit) {
      const want = gs1CheckDigit(value.slice(0, -1));
      if (want !== Number(value.slice(-1)))
        return gErr("bad-check-digit", `${rule.title} check digit is ${want}, label says ${value.slice(-1)}`);
    }
  }
  elements.push({ ai, value });
  return null;
}

function titleOf(ai: string): string {
  return AI_RULES[ai]?.title ?? "value";
}

function gErr(code: UnreadableCode, reason: string): Gs1Error {
  return { ok: false, code, reason };
}
