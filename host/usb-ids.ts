/** USB vendor/product IDs as a site configures them (no node-hid here: the configuration loads this). */

/** A vendor/product pair as a site lists its jigs: "1209:7D01". */
export interface UsbId {
  vendorId: number;
  productId: number;
}

/** Parses "VVVV:PPPP[,VVVV:PPPP…]" (hex); null and the reason when it is not that. */
export function parseUsbIds(text: string): { ok: true; ids: UsbId[] } | { ok: false; reason: string } {
  const ids: UsbId[] = [];
  for (const part of text
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "")) {
    const m = /^([0-9A-Fa-f]{4}):([0-9A-Fa-f]{4})$/.exec(part);
    if (m === null) return { ok: false, reason: `"${part}" is not a USB vendor:product pair such as 1209:7D01` };
    ids.push({ vendorId: parseInt(m[1] ?? "", 16), productId: parseInt(m[2] ?? "", 16) });
  }
  return { ok: true, ids };
}
