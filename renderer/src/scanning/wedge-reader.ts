/**
 * Keyboard-wedge reader: a scanner in keyboard mode "types" its read, so the only thing
 * that tells a scan from a person is timing. Following Odoo's barcode service, keys that
 * arrive at most `maxInterKeyMs` apart, at least `minLength` of them, ending in the
 * configured suffix (CR or Tab) are one scan; anything slower is a person typing.
 *
 * This is the pure core: it is fed key records carrying their own timestamps (the DOM
 * adapter in wedge-listener.ts supplies `event.timeStamp`), so tests drive it with an
 * injected clock and no DOM. Hand-written because no npm library separates the timing
 * rule from the DOM, and the rule is a few lines.
 */

export type WedgeSuffix = "Enter" | "Tab";

export interface WedgeConfig {
  /** Longest gap between two keys of one scan; scanners send a key every 1-20 ms. */
  maxInterKeyMs: number;
  /** Fewest characters a scan may have; shorter fast bursts are treated as typing. */
  minLength: number;
  /** Keys that end a scan. Empty: a scan ends when the keys stop (idle `maxInterKeyMs`). */
  suffixes: WedgeSuffix[];
  /** A fixed prefix the scanner is programmed to send first (removed from the read). */
  prefix: string;
  /** Also end a burst when the keys stop (used by the self-test to learn a missing suffix). */
  idleEnds?: boolean;
}

export const DEFAULT_WEDGE_CONFIG: WedgeConfig = {
  maxInterKeyMs: 50,
  minLength: 4,
  suffixes: ["Enter", "Tab"],
  prefix: "",
};

/** One key as the reader sees it: `key` as in KeyboardEvent.key, `time` in ms. */
export interface WedgeKey {
  key: string;
  ctrlKey: boolean;
  altKey: boolean;
  time: number;
}

/** A completed scanner read: text between prefix and suffix, with any AIM identifier kept in `raw`. */
export interface WedgeScan {
  raw: string;
  /** The AIM symbology identifier (e.g. "]C1"), when the scanner sends one. */
  aim: string | null;
  /** The key that ended the scan, or null when it ended by going idle. */
  suffix: WedgeSuffix | null;
  startedAt: number;
  endedAt: number;
  /** How many GS characters arrived typed as Alt+0029 (a Windows keyboard wedge's ALT-code mode); absent means none. */
  gsAltCodes?: number;
}

export interface WedgeFeedResult {
  /** The reader took the key as part of a (possible) scan: the page should not act on it. */
  consumed: boolean;
  scan: WedgeScan | null;
}

const GS = "\x1d";
const AIM = /^\][A-Za-z][0-9A-Za-z]/;

/** Maps a key to the character a scanner meant, or null for keys that are not text. */
export function keyToChar(k: Pick<WedgeKey, "key" | "ctrlKey" | "altKey">): string | null {
  // Scanners send GS (FNC1 in GS1-128) as Ctrl+] - which browsers otherwise take as "zoom".
  if (k.ctrlKey && !k.altKey && (k.key === "]" || k.key === "5")) return GS;
  if (k.key === GS) return GS;
  if (k.ctrlKey || (k.altKey && k.key.length !== 1)) return null;
  return k.key.length === 1 ? k.key : null;
}

/** A digit typed with Alt held (not AltGr, which is Ctrl+Alt): part of a Windows ALT code. */
function isAltDigit(k: Pick<WedgeKey, "key" | "ctrlKey" | "altKey">): boolean {
  return k.altKey && !k.ctrlKey && k.key.length === 1 && k.key >= "0" && k.key <= "9";
}

/** The pure wedge state machine; one instance per window. */
export class WedgeReader {
  private buffer = "";
  /** Digits typed with Alt held: a Windows ALT code (Alt+0029 is GS) waiting for its end. */
  private altDigits = "";
  private gsAltCodes = 0;
  private startedAt = 0;
  private lastAt = Number.NEGATIVE_INFINITY;

  constructor(private config: WedgeConfig = DEFAULT_WEDGE_CONFIG) {}

  /** Replaces the thresholds (scanner set-up) and forgets any half-read burst. */
  configure(config: WedgeConfig): void {
    this.config = config;
    this.reset();
  }

  /** Forgets the current burst. */
  reset(): void {
    this.buffer = "";
    this.altDigits = "";
    this.gsAltCodes = 0;
    this.lastAt = Number.NEGATIVE_INFINITY;
  }

  /** Feeds one key; returns whether it belongs to a scan and the scan it completed, if any. */
  feed(k: WedgeKey): WedgeFeedResult {
    const gap = k.time - this.lastAt;
    const isSuffix = (k.key === "Enter" || k.key === "Tab") && !k.ctrlKey && !k.altKey;
    if (gap > this.config.maxInterKeyMs) {
      // Too slow to continue a burst: an idle-ended scan may be waiting, else it was typing.
      const idle = this.endsOnIdle() ? this.finish(null) : null;
      this.clear();
      if (idle !== null) {
        const rest = this.startBurst(k, isSuffix);
        return { consumed: rest, scan: idle };
      }
      return { consumed: this.startBurst(k, isSuffix), scan: null };
    }
    this.lastAt = k.time;
    if (isAltDigit(k)) {
      this.altDigits += k.key;
      return { consumed: true, scan: null };
    }
    this.endAltCode();
    if (isSuffix && this.config.suffixes.includes(k.key as WedgeSuffix)) {
      const scan = this.finish(k.key as WedgeSuffix);
      this.clear();
      return { consumed: scan !== null, scan };
    }
    const ch = keyToChar(k);
    if (ch === null) return { consumed: false, scan: null };
    this.buffer += ch;
    return { consumed: this.buffer.length > 1 || ch === GS, scan: null };
  }

  /** Ends a suffix-less scan once the keys stop; call from a timer `maxInterKeyMs` after the last key. */
  flush(now: number): WedgeScan | null {
    if (now - this.lastAt <= this.config.maxInterKeyMs) return null;
    const scan = this.endsOnIdle() ? this.finish(null) : null;
    this.clear();
    return scan;
  }

  private clear(): void {
    this.buffer = "";
    this.altDigits = "";
    this.gsAltCodes = 0;
  }

  /**
   * The digits typed with Alt held end with the first other key: Windows then types the
   * character they name (Alt+0029 → GS; Alt+065 → "A"). The browser never shows that
   * character as a key of its own, so the reader makes it here.
   */
  private endAltCode(): void {
    if (this.altDigits === "") return;
    const code = Number(this.altDigits);
    this.altDigits = "";
    if (!(code >= 1 && code <= 255)) return;
    const ch = String.fromCharCode(code);
    if (ch === GS) this.gsAltCodes++;
    this.buffer += ch;
  }

  private endsOnIdle(): boolean {
    return this.config.suffixes.length === 0 || this.config.idleEnds === true;
  }

  private startBurst(k: WedgeKey, isSuffix: boolean): boolean {
    this.lastAt = k.time;
    this.startedAt = k.time;
    if (isSuffix) return false;
    if (isAltDigit(k)) {
      this.altDigits = k.key;
      return false;
    }
    const ch = keyToChar(k);
    if (ch === null) return false;
    this.buffer = ch;
    // A single key may be a person typing; only GS is never typed by hand.
    return ch === GS;
  }

  private finish(suffix: WedgeSuffix | null): WedgeScan | null {
    this.endAltCode();
    let text = this.buffer;
    if (this.config.prefix !== "") {
      if (!text.startsWith(this.config.prefix)) return null;
      text = text.slice(this.config.prefix.length);
    }
    if (text.length < this.config.minLength) return null;
    const aim = AIM.test(text) ? text.slice(0, 3) : null;
    const scan: WedgeScan = { raw: text, aim, suffix, startedAt: this.startedAt, endedAt: this.lastAt };
    if (this.gsAltCodes > 0) scan.gsAltCodes = this.gsAltCodes;
    return scan;
  }
}
