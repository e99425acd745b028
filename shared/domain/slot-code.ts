/**
 * How a technician names a jig slot: the jig's letter and the slot's number as printed on
 * the jig, e.g. "B4" (jig B, slot 4 of 8). A slot label's barcode carries "JIG-B-4"; typed
 * by hand "b4", "4b" and "B 4" are as good, so the station works keyboard-only. Letters
 * follow the jigs in id order (JIG-A is A), numbers are 1-8 while the bridge counts 0-7.
 */

export interface SlotCode {
  /** 0 for A, 1 for B, … */
  jigIndex: number;
  /** 0-based, as the bridge counts. */
  slot: number;
}

const LETTER_FIRST = /^\s*(?:JIG[-\s]?)?([A-H])[-\s/]?([1-8])\s*$/i;
const NUMBER_FIRST = /^\s*([1-8])[-\s/]?([A-H])\s*$/i;

/** Reads a slot code; null when `text` is not one (never throws). */
export function parseSlotCode(text: string): SlotCode | null {
  if (text.length > 16) return null;
  const a = LETTER_FIRST.exec(text);
  const letter = a?.[1] ?? NUMBER_FIRST.exec(text)?.[2];
  const digit = a?.[2] ?? NUMBER_FIRST.exec(text)?.[1];
  if (letter === undefined || digit === undefined) return null;
  return { jigIndex: letter.toUpperCase().charCodeAt(0) - 65, slot: Number(digit) - 1 };
}

/** The code printed on a slot: "B4". */
export function formatSlotCode(code: SlotCode): string {
  return `${String.fromCharCode(65 + code.jigIndex)}${code.slot + 1}`;
}

/** The barcode on a slot's label: "JIG-B-4". */
export function slotLabelText(code: SlotCode): string {
  return `JIG-${String.fromCharCode(65 + code.jigIndex)}-${code.slot + 1}`;
}

/**
 * Many slots in a few characters, for one line on the jig station: consecutive slots of a jig
 * become a range, "A1-A8, B2, B4-B6". Order and duplicates in the input do not matter.
 */
export function compactSlotList(codes: readonly SlotCode[]): string {
  const byJig = new Map<number, Set<number>>();
  for (const c of codes) {
    const set = byJig.get(c.jigIndex) ?? new Set<number>();
    set.add(c.slot);
    byJig.set(c.jigIndex, set);
  }
  const parts: string[] = [];
  for (const jigIndex of [...byJig.keys()].sort((a, b) => a - b)) {
    const slots = [...(byJig.get(jigIndex) ?? [])].sort((a, b) => a - b);
    let start = 0;
    for (let i = 1; i <= slots.length; i++) {
      if (i < slots.length && slots[i] === (slots[i - 1] ?? 0) + 1) continue;
      const first = formatSlotCode({ jigIndex, slot: slots[start] ?? 0 });
      const last = formatSlotCode({ jigIndex, slot: slots[i - 1] ?? 0 });
      parts.push(first === last ? first : `${first}-${last}`);
      start = i;
    }
  }
  return parts.join(", ");
}
