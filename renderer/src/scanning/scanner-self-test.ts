import type { WedgeScan } from "./wedge-reader";

/**
 * Scanner self-test at set-up. The operator scans a printed test sheet of three codes and
 * this module says, for each, what the scanner got right and exactly what to change:
 * the suffix (CR/Tab), the AIM symbology identifier, how FNC1/GS arrives, any prefix, and
 * whether the scanner's keyboard country matches this PC's layout (a wedge scanner "types"
 * key positions, so a US-set scanner on a German PC swaps Y and Z and mangles symbols).
 */

export interface TestCode {
  id: "suffix-aim" | "gs1" | "layout";
  title: string;
  /** What a correctly set-up scanner delivers, AIM identifier included. */
  expected: string;
  /** Data for JsBarcode (format CODE128; `ean128` for the GS1 code, FNC1 as U+00CF). */
  barcode: string;
  ean128: boolean;
  /** The text printed under the code: exactly what it encodes (GS1 in HRI brackets). */
  printed: string;
}

const GS = "\x1d";
const GS1_BODY = ["0195012345678903", "10ABC123", "2142"] as const;
/** Characters whose key positions differ between US, UK and German layouts. */
export const LAYOUT_PROBE = 'zy@#"/-';

/** GS1 human-readable text of element strings "AI+data": each AI (two digits here) in brackets. */
const hri = (elements: readonly string[]): string => elements.map((e) => `(${e.slice(0, 2)})${e.slice(2)}`).join("");

export const TEST_SHEET: readonly TestCode[] = [
  {
    id: "suffix-aim",
    title: "1. Suffix and symbology",
    expected: "]C0RFDTEST01",
    barcode: "RFDTEST01",
    ean128: false,
    printed: "RFDTEST01",
  },
  {
    id: "gs1",
    title: "2. GS1-128 with FNC1",
    expected: `]C1${GS1_BODY[0]}${GS1_BODY[1]}${GS}${GS1_BODY[2]}`,
    barcode: `${GS1_BODY[0]}${GS1_BODY[1]}\u00cf${GS1_BODY[2]}`,
    ean128: true,
    // Derived from the very data encoded: it once read (01)09501234567890, which the code does not carry.
    printed: hri(GS1_BODY),
  },
  {
    id: "layout",
    title: "3. Keyboard layout",
    expected: `]C0${LAYOUT_PROBE}`,
    barcode: LAYOUT_PROBE,
    ean128: false,
    printed: LAYOUT_PROBE,
  },
];

/**
 * What the screen says once the three codes are read: "complete" only when no code failed;
 * otherwise how many failed and what to do (issue 18: it said "Self-test complete" after a failure).
 */
export function selfTestOutcome(findings: readonly (readonly Finding[])[]): {
  done: boolean;
  ok: boolean;
  text: string;
} {
  const failed = findings.filter((f) => f.some((x) => x.level === "error")).length;
  if (failed === 0)
    return { done: true, ok: true, text: "Self-test complete: the scanner is set up. Scan code 1 again to repeat." };
  return {
    done: true,
    ok: false,
    text: `Self-test finished with ${failed} code${failed === 1 ? "" : "s"} failed: change what is marked in red, then scan code 1 again.`,
  };
}

export type FindingLevel = "ok" | "warn" | "error";
export interface Finding {
  level: FindingLevel;
  /** What was found, and for warn/error: exactly what to change. */
  text: string;
}

export interface LearntSettings {
  suffix: "Enter" | "Tab" | null;
  prefix: string;
  sendsAim: boolean;
}

// -------------------------------------------------------------------- keyboard layouts

type Layout = "US" | "UK" | "DE";
export const LAYOUTS: readonly Layout[] = ["US", "UK", "DE"];
const LAYOUT_NAMES: Record<Layout, string> = { US: "US English", UK: "UK English", DE: "German" };

/** Which physical key (with modifier) types each probe character, per layout. */
const TYPED_WITH: Record<Layout, Record<string, string>> = {
  US: { z: "KeyZ", y: "KeyY", "@": "S+Digit2", "#": "S+Digit3", '"': "S+Quote", "/": "Slash", "-": "Minus" },
  UK: { z: "KeyZ", y: "KeyY", "@": "S+Quote", "#": "Backslash", '"': "S+Digit2", "/": "Slash", "-": "Minus" },
  DE: { z: "KeyY", y: "KeyZ", "@": "AltGr+KeyQ", "#": "Backslash", '"': "S+Digit2", "/": "S+Digit7", "-": "Slash" },
};
/** What the PC makes of each of those keys, per layout. */
const KEY_GIVES: Record<Layout, Record<string, string>> = {
  US: {
    KeyZ: "z",
    KeyY: "y",
    "S+Digit2": "@",
    "S+Digit3": "#",
    "S+Quote": '"',
    Slash: "/",
    Minus: "-",
    Backslash: "\\",
    "AltGr+KeyQ": "q",
    "S+Digit7": "&",
  },
  UK: {
    KeyZ: "z",
    KeyY: "y",
    "S+Digit2": '"',
    "S+Digit3": "£",
    "S+Quote": "@",
    Slash: "/",
    Minus: "-",
    Backslash: "#",
    "AltGr+KeyQ": "q",
    "S+Digit7": "&",
  },
  DE: {
    KeyZ: "y",
    KeyY: "z",
    "S+Digit2": '"',
    "S+Digit3": "§",
    "S+Quote": "Ä",
    Slash: "-",
    Minus: "ß",
    Backslash: "#",
    "AltGr+KeyQ": "@",
    "S+Digit7": "/",
  },
};

/** What a scanner set to `scanner` layout delivers for `text` on a PC set to `host` layout. */
export function typedThrough(text: string, scanner: Layout, host: Layout): string {
  return [...text]
    .map((ch) => {
      const key = TYPED_WITH[scanner][ch];
      return key === undefined ? ch : (KEY_GIVES[host][key] ?? "?");
    })
    .join("");
}

// -------------------------------------------------------------------- analysis

function visible(s: string): string {
  return s.replace(/[\x00-\x1f]/g, (c) => (c === GS ? "<GS>" : `<${c.charCodeAt(0).toString(16).padStart(2, "0")}>`));
}

function splitAim(raw: string): { aim: string | null; body: string } {
  return /^\][A-Za-z][0-9A-Za-z]/.test(raw) ? { aim: raw.slice(0, 3), body: raw.slice(3) } : { aim: null, body: raw };
}

/** Code 1: learns the suffix, the AIM identifier and any prefix. */
export function checkSuffixAndAim(scan: WedgeScan): { findings: Finding[]; learnt: LearntSettings } {
  const findings: Finding[] = [];
  const data = "RFDTEST01";
  const at = scan.raw.indexOf(data);
  if (at < 0) {
    return {
      findings: [
        {
          level: "error",
          text: `Expected the code RFDTEST01 but read "${visible(scan.raw)}". Scan code 1 of the test sheet.`,
        },
      ],
      learnt: { suffix: scan.suffix, prefix: "", sendsAim: false },
    };
  }
  const before = scan.raw.slice(0, at);
  const after = scan.raw.slice(at + data.length);
  const aimMatch = /\][A-Za-z][0-9A-Za-z]$/.exec(before);
  const aim = aimMatch ? aimMatch[0] : null;
  const prefix = aim ? before.slice(0, before.length - 3) : before;
  if (scan.suffix === null)
    findings.push({
      level: "error",
      text: 'No suffix arrives after a code. Program the scanner to send Enter (CR) as suffix (its manual\'s "Add CR suffix" code); a Tab suffix also works.',
    });
  else findings.push({ level: "ok", text: `Suffix: ${scan.suffix === "Enter" ? "Enter (CR)" : "Tab"}.` });
  if (after !== "")
    findings.push({
      level: "warn",
      text: `Extra characters "${visible(after)}" arrive after the code. Remove the extra suffix characters in the scanner's set-up.`,
    });
  if (aim === null)
    findings.push({
      level: "warn",
      text: 'The scanner sends no AIM symbology identifier. Enable "Transmit AIM ID" (AIM code ID prefix) so GS1 labels are recognised by their ]C1 identifier.',
    });
  else if (aim !== "]C0")
    findings.push({
      level: "warn",
      text: `AIM identifier ${aim} for a plain Code 128 symbol (expected ]C0). Check that AIM IDs (not the vendor's own code IDs) are enabled.`,
    });
  else findings.push({ level: "ok", text: "AIM identifier: ]C0 for Code 128." });
  if (prefix !== "")
    findings.push({
      level: "warn",
      text: `A prefix "${visible(prefix)}" arrives before each code; it is now set as this dock's prefix. Remove it in the scanner if it is not intended.`,
    });
  return { findings, learnt: { suffix: scan.suffix, prefix, sendsAim: aim !== null } };
}

/** Code 2: checks that FNC1 between GS1 fields arrives as GS (0x1D) and the symbol as ]C1. */
export function checkGs1(scan: WedgeScan, prefix = ""): Finding[] {
  const raw = scan.raw.startsWith(prefix) ? scan.raw.slice(prefix.length) : scan.raw;
  const { aim, body } = splitAim(raw);
  const want = `${GS1_BODY[0]}${GS1_BODY[1]}${GS}${GS1_BODY[2]}`;
  const findings: Finding[] = [];
  const lead = body.startsWith(GS) ? body.slice(1) : body;
  if (body.startsWith(GS))
    findings.push({
      level: "warn",
      text: "The leading FNC1 arrives as a GS character. Enable AIM IDs so it arrives as ]C1 instead.",
    });
  if (aim !== null && aim !== "]C1")
    findings.push({
      level: "warn",
      text: `GS1-128 arrived with AIM identifier ${aim}; expected ]C1. Enable GS1-128 (UCC/EAN-128) decoding with AIM IDs.`,
    });
  if (lead === want && (scan.gsAltCodes ?? 0) > 0)
    findings.push({
      level: "ok",
      text: "FNC1 between fields arrives as GS typed as Alt+0029 (the scanner's Windows ALT-code mode); this dock reads it as GS. Ctrl+] (ASCII 29) is quicker to type if the scanner offers it.",
    });
  else if (lead === want) findings.push({ level: "ok", text: "FNC1 between fields arrives as GS (0x1D)." });
  else if (lead === want.replace(GS, ""))
    findings.push({
      level: "error",
      text: 'The FNC1 separator is dropped: variable-length fields run together. Program the scanner to transmit FNC1 as GS (ASCII 29, "Ctrl+]").',
    });
  else if (lead.startsWith(GS1_BODY[0] + GS1_BODY[1]) && lead.endsWith(GS1_BODY[2])) {
    const got = lead.slice(GS1_BODY[0].length + GS1_BODY[1].length, lead.length - GS1_BODY[2].length);
    if (got === "0029" || got === "029")
      findings.push({
        level: "error",
        text: `FNC1 arrives as the digits "${got}": the scanner types GS as Alt+${got} but the Alt key does not reach this page (or NumLock is off). Turn NumLock on, or set the scanner's FNC1/GS substitution to Ctrl+] (ASCII 29).`,
      });
    else
      findings.push({
        level: "error",
        text: `FNC1 arrives as "${visible(got)}" instead of GS (0x1D). Set the scanner's FNC1/GS substitution to ASCII 29; if it already is, the keyboard layout turns Ctrl+] into another key - see code 3.`,
      });
  } else
    findings.push({
      level: "error",
      text: `Expected the GS1 test code but read "${visible(raw)}". Scan code 2 of the test sheet.`,
    });
  return findings;
}

/** Code 3: checks the keyboard layout, naming the scanner and PC layouts when they differ. */
export function checkLayout(scan: WedgeScan, prefix = ""): Finding[] {
  const raw = scan.raw.startsWith(prefix) ? scan.raw.slice(prefix.length) : scan.raw;
  const { body } = splitAim(raw);
  if (body === LAYOUT_PROBE) return [{ level: "ok", text: "Keyboard layout: the scanner and this PC agree." }];
  for (const s of LAYOUTS)
    for (const h of LAYOUTS) {
      if (s !== h && typedThrough(LAYOUT_PROBE, s, h) === body)
        return [
          {
            level: "error",
            text: `The scanner types as a ${LAYOUT_NAMES[s]} keyboard but this PC uses a ${LAYOUT_NAMES[h]} layout (read "${body}" for "${LAYOUT_PROBE}"). Set the scanner's keyboard country to ${LAYOUT_NAMES[h]} (its manual's "Keyboard country" codes), or use its "universal"/ALT-code mode.`,
          },
        ];
    }
  const diffs = [...LAYOUT_PROBE]
    .map((c, i) => (body[i] === c ? null : `${c}→${body[i] ?? "nothing"}`))
    .filter((x) => x !== null);
  return [
    {
      level: "error",
      text: `Characters arrive changed (${diffs.join(", ")}): read "${visible(body)}" for "${LAYOUT_PROBE}". Set the scanner's keyboard country to match this PC's keyboard layout.`,
    },
  ];
}
