import { describe, expect, it } from "vitest";
import { CopyRows, copyDataPieces, copyField, copyFromStdinSql, copyJsonField, isCopyFromStdin } from "./copy-in";

describe("COPY … FROM STDIN helpers", () => {
  it("escapes JSON text as copyField does, for every kind of string inside it", () => {
    for (const v of [
      "plain",
      "tab\there",
      "line\nbreak",
      "cr\rx",
      "back\\slash",
      'quote"q',
      "\\N",
      "é ü 😀",
      "\u0000\u001d\u001f\u007f",
      "\u2028\u2029",
      "\\\\\t\\",
    ]) {
      const json = JSON.stringify({ v, nested: [v, { v }] });
      expect(copyJsonField(json)).toBe(copyField(json));
    }
  });

  it("streams the pieces pushed, in order, until the end; nothing after the end, no empty piece", async () => {
    const rows = new CopyRows();
    rows.push("a\n");
    const read = copyDataPieces(rows);
    rows.push("");
    await new Promise((r) => setImmediate(r));
    rows.push("b\tc\n");
    rows.end();
    rows.push("d\n");
    expect(rows.closed).toBe(true);
    expect(await read).toEqual(["a\n", "b\tc\n"]);
  });

  it("a failed stream ends its reader with the reason, and takes nothing more", async () => {
    const rows = new CopyRows();
    rows.push("a\n");
    rows.fail(new Error("the batch failed"));
    rows.push("b\n");
    rows.end();
    expect(rows.closed).toBe(true);
    await expect(copyDataPieces(rows)).rejects.toThrow("the batch failed");
  });

  it("takes a COPY of one table's columns with its rows as text or as a stream, nothing else", () => {
    const text = copyFromStdinSql("events", ["id", "payload"]);
    expect(text).toBe("copy events (id, payload) from stdin");
    expect(isCopyFromStdin(text, ["1\t{}\n"])).toBe(true);
    expect(isCopyFromStdin(text, [new CopyRows()])).toBe(true);
    expect(isCopyFromStdin(text, [1])).toBe(false);
    expect(isCopyFromStdin(text, ["a", "b"])).toBe(false);
    expect(isCopyFromStdin("copy events (id) from '/etc/passwd'", ["x"])).toBe(false);
    expect(() => copyFromStdinSql("events; drop table x", ["id"])).toThrow();
  });
});
