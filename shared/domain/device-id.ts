/**
 * Hub Device IDs (EUI-64) as scanners deliver them.
 *
 * A hub's ID is printed as Code 128 text; scanners add an AIM symbology prefix, a CR/LF/TAB
 * suffix, and printed labels vary in case and separators. Everything funnels into the one
 * canonical form `HH-HH-HH-HH-HH-HH-HH-HH` (DCC's own notation, upper case). No check digit
 * is known for an EUI-64, so a misread digit cannot be detected here; the booking lookup
 * in reconcile is the safety net. GS1-wrapped hub labels are unwrapped by scan-parser.ts,
 * which then calls this parser on the EUI-64 it carries.
 */

export type DeviceIdError = {
  ok: false;
  code: "empty" | "bad-characters" | "wrong-length" | "unknown-format";
  reason: string;
};

export type DeviceIdResult = { ok: true; deviceId: string } | DeviceIdError;

const CANONICAL = /^([0-9A-F]{2}-){7}[0-9A-F]{2}$/;
/** AIM symbology identifier: `]`, a symbology letter, one modifier character (ISO/IEC 15424). */
const AIM_PREFIX = /^\][A-Za-z][0-9A-Za-z]/;
/** What scanners and keyboard wedges put around a read: suffixes, padding, stray NULs. */
const EDGE_NOISE = /^[\s\0]+|[\s\0]+$/g;
const SEPARATORS = new Set(["-", ":", " ", "."]);
const HEX = /^[0-9A-Fa-f]$/;

/** Names a character so a person can recognise it in an error message. */
export function describeChar(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp === 0x1d) return "GS (group separator, U+001D)";
  if (cp < 0x20 || cp === 0x7f) return `control character U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;
  if (cp > 0x7e) return `'${ch}' (U+${cp.toString(16).toUpperCase().padStart(4, "0")})`;
  return `'${ch}'`;
}

/** Strips the transport noise a scanner adds around any read: AIM prefix and CR/LF/TAB/NUL. */
export function stripScannerNoise(raw: string): string {
  let s = raw.replace(EDGE_NOISE, "");
  if (AIM_PREFIX.test(s)) s = s.slice(3).replace(EDGE_NOISE, "");
  return s;
}

/** Parses a hub Device ID from any scanner delivery into canonical form; never throws. */
export function parseDeviceId(raw: string): DeviceIdResult {
  if (typeof raw !== "string") return fail("empty", "no text was scanned");
  const s = stripScannerNoise(raw);
  if (s.length === 0)
    return fail("empty", raw.length === 0 ? "nothing was scanned" : "the scan held only a prefix, spaces or line ends");

  // GS1 element strings are the scan parser's job; name them rather than call them garbage.
  if (s.includes("\x1d") || s.startsWith("(")) {
    return fail("unknown-format", "this looks like a GS1 label (application identifiers), not a bare hub ID");
  }

  const digits: string[] = [];
  const groups: number[] = [0];
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] ?? "";
    if (HEX.test(ch)) {
      digits.push(ch.toUpperCase());
      groups[groups.length - 1] = (groups[groups.length - 1] ?? 0) + 1;
    } else if (SEPARATORS.has(ch)) {
      groups.push(0);
    } else {
      const cp = ch.codePointAt(0) ?? 0;
      const what =
        cp >= 0x21 && cp <= 0x7e
          ? `${describeChar(ch)} is not a hex digit`
          : `${describeChar(ch)} cannot be part of a hub ID`;
      return fail("bad-characters", `${what} (character ${i + 1} of "${printable(s)}")`);
    }
  }

  const n = digits.length;
  if (n !== 16) {
    if (n === 0) return fail("bad-characters", "only separators, no hex digits");
    let hint = "";
    if (n === 12) hint = " (12 looks like a MAC-48 address)";
    else if (n === 32) hint = " (two IDs read as one?)";
    else if (n > 16 && /^\d+$/.test(digits.join(""))) hint = " (all decimal: perhaps a label barcode, not a hub ID)";
    return fail("wrong-length", `${n} hex digit${n === 1 ? "" : "s"}, a hub ID has 16${hint}`);
  }

  // With separators, each group must end on an octet boundary; a split octet means the text
  // is not an ID written in any notation we know (e.g. two fields run together).
  if (groups.length > 1) {
    const nonEmpty = groups.filter((g) => g > 0);
    if (nonEmpty.length !== groups.length)
      return fail("unknown-format", "doubled or dangling separator between the hex digits");
    const odd = nonEmpty.findIndex((g) => g % 2 !== 0);
    if (odd >= 0)
      return fail(
        "unknown-format",
        `separator splits an octet (group ${odd + 1} has ${nonEmpty[odd]} hex digit${nonEmpty[odd] === 1 ? "" : "s"})`,
      );
  }

  const octets: string[] = [];
  for (let i = 0; i < 16; i += 2) octets.push(`${digits[i]}${digits[i + 1]}`);
  return { ok: true, deviceId: octets.join("-") };
}

/** True when `s` is already in canonical `HH-HH-HH-HH-HH-HH-HH-HH` form. */
export function isCanonicalDeviceId(s: string): boolean {
  return typeof s === "string" && CANONICAL.test(s);
}

/** The DCC test-lab range a canonical ID falls in, or null; a production site flags these. */
export function testLabRange(deviceId: string): string | null {
  if (deviceId.startsWith("00-DB-12-")) return "DCC test-lab range 00-DB-12-xx-xx-xx-xx-xx";
  if (deviceId === "90-B3-D5-1F-30-01-00-00") return "DCC test-lab ID 90-B3-D5-1F-30-01-00-00";
  return null;
}

function fail(code: DeviceIdError["code"], reason: string): DeviceIdError {
  return { ok: false, code, reason };
}

/** The scanned text with control characters made visible, clipped for error messages. */
function printable(s: string): string {
  const shown = s.replace(
    /[\x00-\x1f\x7f]/g,
    (c) => `<${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(2, "0")}>`,
  );
  return shown.length > 40 ? `${shown.slice(0, 37)}...` : shown;
}
