import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parse } from "csv-parse/sync";
import { readCsv, toCsv } from "./files";

describe("CSV out and in", () => {
  it("exports cells a spreadsheet would run as formulas neutralised, and reads every other cell back unchanged", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.string(), { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 8 }),
        (rows) => {
          const csv = toCsv(rows);
          expect(csv.startsWith("\uFEFF")).toBe(true);
          const back = parse(csv, { bom: true, relax_column_count: true }) as string[][];
          back.forEach((r, i) =>
            r.forEach((cell, j) => {
              const original = rows[i]![j]!;
              expect(cell).toBe(/^[=+\-@\t\r]/.test(original) ? `'${original}` : original);
            }),
          );
        },
      ),
    );
    expect(toCsv([['=HYPERLINK("http://x")', "+1", "-1", "@SUM(A1)", "ok"]])).toBe(
      '\uFEFF"\'=HYPERLINK(""http://x"")",\'+1,\'-1,\'@SUM(A1),ok\r\n',
    );
  });

  it("reads CSV as tools export it: BOM, quoted fields with commas and line breaks, CRLF; numbered as the rows a spreadsheet shows", () => {
    const r = readCsv(Buffer.from('\uFEFFa,b\r\n"x, y","two\r\nlines"\r\n\r\nlast,row\r\n'));
    expect(r).toEqual({
      ok: true,
      rows: [
        { line: 1, cells: ["a", "b"] },
        { line: 2, cells: ["x, y", "two\r\nlines"] },
        { line: 3, cells: [""] },
        { line: 4, cells: ["last", "row"] },
      ],
    });
  });
});
