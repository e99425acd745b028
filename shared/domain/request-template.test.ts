import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { withCheckDigit } from "./demo-booking";
import {
  isFormulaLike,
  neutraliseCell,
  parseTemplateRows,
  TEMPLATE_COLUMNS,
  type TemplateRow,
} from "./request-template";

const hex = (n: number) =>
  fc.array(fc.constantFrom(..."0123456789ABCDEF"), { minLength: n, maxLength: n }).map((a) => a.join(""));
const deviceId = hex(16).map((h) => h.match(/../g)!.join("-"));
const sscc = fc
  .integer({ min: 0, max: 999_999_999 })
  .map((n) => withCheckDigit(`39999999${String(n).padStart(9, "0")}`));

/** A valid file: distinct hubs, cartons each on one pallet (or loose), SSCCs never shared between pallets and cartons. */
const validFile = fc
  .record({
    hubs: fc.uniqueArray(deviceId, { minLength: 1, maxLength: 60 }),
    ssccs: fc.uniqueArray(sscc, { minLength: 8, maxLength: 8 }),
    picks: fc.array(fc.nat(5), { minLength: 60, maxLength: 60 }),
  })
  .map(({ hubs, ssccs, picks }) => {
    const pallets = [ssccs[0]!, ssccs[1]!];
    const cartons = ssccs.slice(2); // 6 cartons
    const palletOf = cartons.map((_, i) => (i % 3 === 2 ? "" : pallets[i % 2]!));
    const rows: TemplateRow[] = [{ line: 1, cells: [...TEMPLATE_COLUMNS] }];
    hubs.forEach((id, i) => {
      const c = picks[i]! % cartons.length;
      rows.push({ line: i + 2, cells: [palletOf[c]!, cartons[c]!, id, "0002012F", "AB01", "010A030B"] });
    });
    return rows;
  });

describe("parseTemplateRows", () => {
  it("reads every hub of a valid file exactly once, grouped by carton and pallet", () => {
    fc.assert(
      fc.property(validFile, (rows) => {
        const r = parseTemplateRows(rows);
        expect(r.problems).toEqual([]);
        const content = r.content!;
        const ids = [...content.pallets.flatMap((p) => p.cartons), ...content.looseCartons].flatMap((c) =>
          c.hubs.map((h) => h.deviceId),
        );
        expect(ids.sort()).toEqual(
          rows
            .slice(1)
            .map((x) => x.cells[2]!)
            .sort(),
        );
        for (const row of rows.slice(1)) expect(r.lineOfHub.get(row.cells[2]!)).toBe(row.line);
        for (const p of content.pallets)
          for (const c of p.cartons) expect(rows.find((x) => x.cells[1] === c.sscc)?.cells[0]).toBe(p.sscc);
        for (const c of content.looseCartons) expect(rows.find((x) => x.cells[1] === c.sscc)?.cells[0]).toBe("");
      }),
    );
  });

  it("flags exactly the broken line, never turns a file with a problem into a request", () => {
    const breakers: Array<[string, (cells: string[]) => void]> = [
      [
        "device ID",
        (c) => {
          c[2] = `${c[2]}0`;
        },
      ],
      [
        "check digit",
        (c) => {
          c[1] = `${c[1]!.slice(0, 17)}${(Number(c[1]![17]) + 1) % 10}`;
        },
      ],
      [
        "firmware",
        (c) => {
          c[3] = "12345";
        },
      ],
      [
        "formula",
        (c) => {
          c[4] = "=cmd|' /C calc'!A0";
        },
      ],
      [
        "empty model",
        (c) => {
          c[5] = "";
        },
      ],
    ];
    fc.assert(
      fc.property(validFile, fc.nat(), fc.nat(breakers.length - 1), (rows, pick, which) => {
        const target = 1 + (pick % (rows.length - 1));
        const copy = rows.map((r) => ({ line: r.line, cells: [...r.cells] }));
        breakers[which]![1](copy[target]!.cells);
        const r = parseTemplateRows(copy);
        expect(r.content).toBeNull();
        // A changed carton SSCC can also split a carton off its pallet; the broken line is always among those named.
        expect(r.problems.map((p) => p.line)).toContain(copy[target]!.line);
        if (which !== 1) expect(r.problems.map((p) => p.line)).toEqual([copy[target]!.line]);
      }),
    );
  });

  it("names the first line of a hub listed twice", () => {
    fc.assert(
      fc.property(validFile, (rows) => {
        const dup = { line: rows.length + 1, cells: [...rows[1]!.cells] };
        const r = parseTemplateRows([...rows, dup]);
        expect(r.problems).toEqual([
          { line: dup.line, reason: expect.stringContaining(`already listed on line ${rows[1]!.line}`) },
        ]);
      }),
    );
  });

  it("refuses a file of another template version, an empty file and a header alone", () => {
    expect(parseTemplateRows([]).problems[0]?.reason).toMatch(/empty/);
    expect(parseTemplateRows([{ line: 1, cells: [...TEMPLATE_COLUMNS] }]).problems[0]?.reason).toMatch(/lists no hubs/);
    expect(
      parseTemplateRows([
        { line: 1, cells: ["Device ID", "Firmware"] },
        { line: 2, cells: ["00-11-22-33-44-55-66-77", "0002012F"] },
      ]).problems[0],
    ).toMatchObject({ line: 1, reason: expect.stringMatching(/not the DCC request template/) });
  });

  it("accepts IDs written without separators or in lower case, and a carton that travels loose", () => {
    const c = withCheckDigit("39999999000000001");
    const r = parseTemplateRows([
      { line: 1, cells: [...TEMPLATE_COLUMNS] },
      { line: 2, cells: ["", c, "0011223344556677", "0002012f", "ab01", "010a030b"] },
    ]);
    expect(r.content?.looseCartons).toEqual([
      {
        sscc: c,
        hubs: [
          {
            deviceId: "00-11-22-33-44-55-66-77",
            firmwareVersion: "0002012F",
            manufacturer: "AB01",
            deviceModel: "010A030B",
          },
        ],
      },
    ]);
  });

  it("refuses a carton on two pallets", () => {
    const [p1, p2, c] = [
      withCheckDigit("39999999000000011"),
      withCheckDigit("39999999000000012"),
      withCheckDigit("39999999000000013"),
    ];
    const r = parseTemplateRows([
      { line: 1, cells: [...TEMPLATE_COLUMNS] },
      { line: 2, cells: [p1, c, "00-11-22-33-44-55-66-77", "0002012F", "AB01", "010A030B"] },
      { line: 3, cells: [p2, c, "00-11-22-33-44-55-66-78", "0002012F", "AB01", "010A030B"] },
    ]);
    expect(r.problems).toEqual([{ line: 3, reason: expect.stringMatching(/on pallet .* on line 2/) }]);
  });
});

describe("neutraliseCell", () => {
  it("leaves no exported cell a spreadsheet would run, and changes no other cell", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const out = neutraliseCell(s);
        expect(isFormulaLike(out)).toBe(false);
        if (!isFormulaLike(s)) expect(out).toBe(s);
        else expect(out).toBe(`'${s}`);
      }),
    );
    for (const s of ["=1+1", "+1", "-2", "@SUM(A1)", "\t=x", "\r=x"])
      expect(neutraliseCell(s).startsWith("'")).toBe(true);
  });
});
