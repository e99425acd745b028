import { describe, expect, it } from "vitest";
import { INVENTORY_COLUMNS, parseInventoryCsv } from "./inventory-import";

const row = (id: string, han?: string) =>
  [
    id,
    "88-73-84-57-00-2F-96-1F",
    "CHF",
    "AB01",
    "010A030B",
    "0002012F",
    "Pending",
    "SUPPLIER-A",
    "North",
    ...(han === undefined ? [] : [han]),
  ].join(",");

describe("SMI inventory import: the HAN variant (issue 17)", () => {
  const parties = new Set(["SUPPLIER-A"]);
  it("reads an optional HANVariant column as DUIS writes it; an empty cell is not known", () => {
    const csv = [
      [...INVENTORY_COLUMNS, "HAN Variant"].join(","),
      row("88-73-84-57-00-2F-96-1E", "Single Band"),
      row("88-73-84-57-00-2F-96-2E", "dual band"),
      row("88-73-84-57-00-2F-96-3E", ""),
    ].join("\n");
    const r = parseInventoryCsv(Buffer.from(csv), parties);
    expect(r.badRows).toEqual([]);
    expect(r.records.map((x) => x.han_variant)).toEqual(["single-band", "dual-band", null]);
  });

  it("refuses a value that is neither band, naming it; a file without the column leaves the variant alone", () => {
    const bad = [[...INVENTORY_COLUMNS, "HANVariant"].join(","), row("88-73-84-57-00-2F-96-1E", "Triple")].join("\n");
    expect(parseInventoryCsv(Buffer.from(bad), parties).badRows).toEqual([
      { line: 2, reason: 'HANVariant "Triple" is not Single Band or Dual Band' },
    ]);
    const without = [INVENTORY_COLUMNS.join(","), row("88-73-84-57-00-2F-96-1E")].join("\n");
    const r = parseInventoryCsv(Buffer.from(without), parties);
    expect(r.records).toHaveLength(1);
    expect("han_variant" in r.records[0]!).toBe(false);
  });
});
