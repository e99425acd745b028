import { afterAll, beforeAll, describe, expect, it } from "vitest";
import ExcelJS from "exceljs";
import nodemailer from "nodemailer";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";
import { openTestWorld, testBackends, zipOf, type TestWorld, aMonday } from "../test-support";
import { deliverOutbox } from "../services/outbox";
import { addDays } from "../services/working-time";
import { withCheckDigit } from "../../shared/domain/demo-booking";
import { TEMPLATE_COLUMNS } from "../../shared/domain/request-template";
import { importInventory } from "./inventory-import";
import { deskDb } from "./schema";
import { createApp } from "../app";
import { DEFAULT_SIGN_IN_POLICY, hashPassword } from "../services/people";
import { signIn } from "./test-session";
import { mailIntakeFromEnv, requestIdOfMessage, startMailIntake, type MailIntakeServer } from "./email-intake";

const MAILBOX = "requests@dcc.test";
const hub = (n: number) => `00-DE-5C-00-00-01-00-${n.toString(16).toUpperCase().padStart(2, "0")}`;

const detailsText = (over: Record<string, string> = {}) =>
  Object.entries({
    Facility: "N-DOCK-1",
    "Arrival location": "LOC-N-DOCK-1",
    "Arrival date": aMonday(2),
    "Arrival window": "10:00-12:00",
    "Re-delivery location": "SUPPLIER-A-DEPOT",
    "Re-delivery date": addDays(aMonday(2), 14),
    "Re-delivery window": "10:00-12:00",
    "Contact name": "Pat Party",
    "Contact phone": "+44 161 000 0000",
    ...over,
  })
    .map(([k, v]) => `${k}: ${v}`)
    .join("\n");

const pallet = (n: number) => withCheckDigit(`3999999100000${String(n).padStart(4, "0")}`);
const csvOf = (rows: string[][]) =>
  Buffer.from(`\uFEFF${[TEMPLATE_COLUMNS as readonly string[], ...rows].map((r) => r.join(",")).join("\r\n")}\r\n`);
const rowsFor = (p: number, hubs: number[]) =>
  hubs.map((n) => [pallet(p), pallet(p + 1), hub(n), "0002012F", "AB01", "010A030B"]);

async function xlsxOf(rows: Array<Array<string | { formula: string }>>): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet("Hubs");
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe("mail intake configuration", () => {
  it("is off without MAIL_INTAKE_PORT, and names what is wrong with its variables", () => {
    expect(mailIntakeFromEnv({})).toBeNull();
    expect(mailIntakeFromEnv({ MAIL_INTAKE_PORT: "2525", MAIL_INTAKE_ADDRESS: "Requests@DCC.example" })).toEqual({
      address: "requests@dcc.example",
      host: "127.0.0.1",
      port: 2525,
      maxMessageBytes: 10 * 1024 * 1024,
    });
    expect(() => mailIntakeFromEnv({ MAIL_INTAKE_PORT: "2525" })).toThrow(/MAIL_INTAKE_ADDRESS/);
    expect(() => mailIntakeFromEnv({ MAIL_INTAKE_PORT: "smtp", MAIL_INTAKE_ADDRESS: "a@b" })).toThrow(/port number/);
    expect(() =>
      mailIntakeFromEnv({ MAIL_INTAKE_PORT: "25", MAIL_INTAKE_ADDRESS: "a@b", MAIL_INTAKE_MAX_BYTES: "10" }),
    ).toThrow(/at least 65536/);
  });

  it("derives one request id per Message-ID, a valid UUID", () => {
    const a = requestIdOfMessage("<a@x>");
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(requestIdOfMessage("<a@x>")).toBe(a);
    expect(requestIdOfMessage("<b@x>")).not.toBe(a);
  });
});

describe.each(testBackends())("email intake on %s", (backend) => {
  let w: TestWorld;
  let intake: MailIntakeServer;
  /** The Parties' mail server: where central's answers land. */
  let partyMail: SMTPServer;
  let partyPort = 0;
  const inbox: ParsedMail[] = [];
  let seq = 0;

  beforeAll(async () => {
    w = await openTestWorld(backend);
    const inv = [
      "DeviceID,GPFDeviceID,DeviceType,Manufacturer,DeviceModel,FirmwareVersion,SMIStatus,AssignedParty,CSPRegion",
      ...Array.from({ length: 12 }, (_, i) => i + 1).map(
        (n) => `${hub(n)},${hub(n + 128)},CHF,AB01,010A030B,0002012F,Pending,SUPPLIER-A,North`,
      ),
    ].join("\r\n");
    const imported = await importInventory(deskDb(w.database.db), Buffer.from(inv));
    expect(imported.badRows).toEqual([]);
    await deskDb(w.database.db)
      .insertInto("people")
      .values({
        id: "P-PAT",
        email: "Pat@Supplier-A.example",
        name: "Pat Party",
        role: "party-user",
        party_id: "SUPPLIER-A",
        password_hash: "scrypt$10$8$1$x$y",
      })
      .execute();
    intake = await startMailIntake(w.database.db, w.business, {
      address: MAILBOX,
      host: "127.0.0.1",
      port: 0,
      maxMessageBytes: 6 * 1024 * 1024,
    });
    partyMail = new SMTPServer({
      disabledCommands: ["STARTTLS", "AUTH"],
      authOptional: true,
      logger: false,
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () => {
          simpleParser(Buffer.concat(chunks)).then(
            (m) => {
              inbox.push(m);
              callback();
            },
            (e: Error) => callback(e),
          );
        });
      },
    });
    await new Promise<void>((resolve) => partyMail.listen(0, "127.0.0.1", () => resolve()));
    partyPort = (partyMail.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await intake?.close();
    await new Promise<void>((resolve) => (partyMail ? partyMail.close(() => resolve()) : resolve()));
    await w?.close();
  });

  const send = async (m: {
    from?: string;
    to?: string;
    subject?: string;
    text?: string;
    messageId?: string;
    attachments?: Array<{ filename: string; content: Buffer }>;
    headers?: Record<string, string>;
    envelopeFrom?: string;
  }) => {
    const messageId = m.messageId ?? `<req-${++seq}-${Date.now()}@supplier-a.example>`;
    const transport = nodemailer.createTransport({
      host: "127.0.0.1",
      port: intake.port,
      secure: false,
      ignoreTLS: true,
    });
    try {
      const info = await transport.sendMail({
        from: m.from ?? "pat@supplier-a.example",
        to: m.to ?? MAILBOX,
        subject: m.subject ?? "Re-flash request",
        text: m.text ?? detailsText(),
        messageId,
        attachments: m.attachments ?? [],
        headers: m.headers ?? {},
        ...(m.envelopeFrom !== undefined ? { envelope: { from: m.envelopeFrom, to: m.to ?? MAILBOX } } : {}),
      });
      return { messageId, response: info.response };
    } finally {
      transport.close();
    }
  };
  /** Delivers central's outbox to the Parties' mail server; the answer to `messageId`. */
  const answerTo = async (messageId: string): Promise<ParsedMail | undefined> => {
    await deliverOutbox(
      w.database.db,
      { kind: "smtp", url: `smtp://127.0.0.1:${partyPort}` },
      { from: w.business.mailFrom, maxAttempts: 3, limit: 500 },
    );
    return inbox.find((m) => m.inReplyTo === messageId);
  };
  const count = async (t: "requests" | "bookings" | "email_intake") =>
    (
      await w.database.db
        .selectFrom(t)
        .select((eb) => eb.fn.countAll<string>().as("n"))
        .executeTakeFirstOrThrow()
    ).n;

  it("books a CSV request mailed by a Party's user and answers it with the label PDF; the same message again books nothing", async () => {
    const before = { requests: await count("requests"), bookings: await count("bookings") };
    const csv = csvOf(rowsFor(1, [1, 2, 3]));
    const sent = await send({ attachments: [{ filename: "request.csv", content: csv }] });
    expect(sent.response).toMatch(/^250 .*accepted/);
    const reply = await answerTo(sent.messageId);
    expect(reply?.to).toMatchObject({ value: [{ address: "pat@supplier-a.example" }] });
    expect(reply?.subject).toBe("Re: Re-flash request");
    expect(reply?.references).toBe(sent.messageId);
    expect(reply?.text).toMatch(/is accepted/);
    const bookingRef = /Booking reference: (BK-[A-Z0-9]+)/.exec(reply?.text ?? "")?.[1];
    expect(bookingRef).toBeDefined();
    const pdf = reply?.attachments.find((a) => a.contentType === "application/pdf");
    expect(pdf?.filename).toBe(`booking-label-${bookingRef}.pdf`);
    expect(pdf?.content.subarray(0, 5).toString()).toBe("%PDF-");
    const booking = await w.database.db
      .selectFrom("bookings")
      .select(["party_id", "hub_count"])
      .where("booking_ref", "=", bookingRef ?? "")
      .executeTakeFirstOrThrow();
    expect(booking).toEqual({ party_id: "SUPPLIER-A", hub_count: 3 });
    expect(Number(await count("requests"))).toBe(Number(before.requests) + 1);

    // The same message delivered again (the sending server retried): nothing booked, nothing answered.
    const replies = inbox.length;
    const again = await send({ messageId: sent.messageId, attachments: [{ filename: "request.csv", content: csv }] });
    expect(again.response).toMatch(/duplicate/);
    await answerTo(sent.messageId);
    expect(inbox.length).toBe(replies);
    expect(Number(await count("requests"))).toBe(Number(before.requests) + 1);
    expect(Number(await count("bookings"))).toBe(Number(before.bookings) + 1);
  });

  it("books an XLSX request from the Party's registered address", async () => {
    const xlsx = await xlsxOf([[...TEMPLATE_COLUMNS], ...rowsFor(3, [4, 5])]);
    const sent = await send({
      from: "Returns <RETURNS@supplier-a.example>",
      attachments: [{ filename: "Request.XLSX", content: xlsx }],
    });
    const reply = await answerTo(sent.messageId);
    expect(reply?.text).toMatch(/is accepted/);
    expect(reply?.attachments.map((a) => a.contentType)).toEqual(["application/pdf"]);
  });

  it("refuses an unknown sender politely and books nothing", async () => {
    const before = await count("requests");
    const sent = await send({
      from: "someone@elsewhere.example",
      attachments: [{ filename: "request.csv", content: csvOf(rowsFor(5, [6])) }],
    });
    const reply = await answerTo(sent.messageId);
    expect(reply?.text).toMatch(/Thank you for your message "Re-flash request"/);
    expect(reply?.text).toMatch(/someone@elsewhere\.example is not one of them, so nothing was booked/);
    expect(await count("requests")).toBe(before);
  });

  it("answers each bad message with its reason and stores no request", async () => {
    const before = { requests: await count("requests"), bookings: await count("bookings") };
    const good = csvOf(rowsFor(7, [7]));
    const cases: Array<{ name: string; mail: Parameters<typeof send>[0]; reason: RegExp }> = [
      { name: "no attachment", mail: {}, reason: /no request template is attached/ },
      {
        name: "a picture only",
        mail: { attachments: [{ filename: "photo.png", content: Buffer.from("89504e470d0a1a0a", "hex") }] },
        reason: /photo\.png is not a CSV or XLSX file/,
      },
      {
        name: "two attachments",
        mail: {
          attachments: [
            { filename: "a.csv", content: good },
            { filename: "b.csv", content: good },
          ],
        },
        reason: /2 files are attached \(a\.csv, b\.csv\); attach one request template per message/,
      },
      {
        name: "oversized",
        mail: { attachments: [{ filename: "big.csv", content: Buffer.alloc(3 * 1024 * 1024, 0x41) }] },
        reason: /big\.csv is 3\.0 MiB; the desk takes files of at most 2 MiB/,
      },
      {
        name: "another template version",
        mail: {
          attachments: [
            { filename: "old.csv", content: Buffer.from("Device,Firmware\r\n00-11-22-33-44-55-66-77,0002012F\r\n") },
          ],
        },
        reason: /row 1: .*not the DCC request template/,
      },
      {
        name: "a formula",
        mail: {
          attachments: [
            {
              filename: "f.xlsx",
              content: await xlsxOf([
                [...TEMPLATE_COLUMNS],
                [pallet(9), pallet(10), { formula: 'HYPERLINK("http://evil")' }, "0002012F", "AB01", "010A030B"],
              ]),
            },
          ],
        },
        reason: /row 2: cell C2 holds a formula/,
      },
      {
        name: "a zip bomb",
        mail: {
          attachments: [
            {
              filename: "bomb.xlsx",
              content: zipOf([{ name: "xl/worksheets/sheet1.xml", data: Buffer.alloc(60 * 1024 * 1024) }]),
            },
          ],
        },
        reason: /zip bomb/,
      },
      {
        name: "details missing",
        mail: { text: "Please re-flash these.", attachments: [{ filename: "r.csv", content: good }] },
        reason: /the message does not say: Facility, Arrival location/,
      },
      {
        name: "a hub not in the SMI",
        mail: { attachments: [{ filename: "r.csv", content: csvOf(rowsFor(11, [99])) }] },
        reason: /row 2: 00-DE-5C-00-00-01-00-63: .*/,
      },
    ];
    for (const c of cases) {
      const sent = await send({ subject: c.name, ...c.mail });
      const reply = await answerTo(sent.messageId);
      expect(reply?.subject, c.name).toBe(`Re: ${c.name}`);
      expect(reply?.text, c.name).toMatch(/It was not accepted, and nothing was booked/);
      expect(reply?.text, c.name).toMatch(c.reason);
      expect(reply?.text, c.name).toMatch(/Facility: <facility id>/);
    }
    const hubReply = inbox.find((m) => m.subject === "Re: a hub not in the SMI");
    expect(hubReply?.text).not.toMatch(/hub 00-DE-5C-00-00-01-00-63:/); // placed on its row, not repeated
    // Only the hub unknown to the SMI reached the request service (recorded as rejected); no booking.
    expect(Number(await count("requests"))).toBe(Number(before.requests) + 1);
    expect(await count("bookings")).toBe(before.bookings);
  });

  it("never answers bounces or automatic replies, and refuses other recipients and oversized messages at SMTP", async () => {
    const intakeBefore = await count("email_intake");
    await send({ headers: { "Auto-Submitted": "auto-replied" }, subject: "Out of office" });
    await send({ envelopeFrom: "", subject: "Undelivered Mail Returned to Sender" });
    expect(await count("email_intake")).toBe(intakeBefore);
    await expect(send({ to: "someone-else@dcc.test" })).rejects.toThrow(/550 .*no mailbox someone-else@dcc\.test here/);
    await expect(
      send({ attachments: [{ filename: "huge.csv", content: Buffer.alloc(7 * 1024 * 1024, 0x41) }] }),
    ).rejects.toThrow(/552/);
    expect(await count("email_intake")).toBe(intakeBefore);
  });

  it("DCC operations see every message the mailbox received and what it was answered", async () => {
    const cost = { ...DEFAULT_SIGN_IN_POLICY.cost, log2N: 10 };
    const app = createApp({
      db: w.database.db,
      business: w.business,
      signingKey: w.key,
      mail: { kind: "eml", dir: w.mailDir },
      databaseKind: backend,
      desk: { policy: { ...DEFAULT_SIGN_IN_POLICY, cost }, deskDist: null },
    });
    await deskDb(w.database.db)
      .insertInto("people")
      .values({
        id: "P-OPS",
        email: "ops@dcc.test",
        name: "Ops",
        role: "dcc-ops",
        party_id: null,
        password_hash: await hashPassword("a long ops password", cost),
      })
      .execute();
    const ops = await signIn(app, "ops@dcc.test", "a long ops password");
    const rows = (await ops("GET", "/ops/email-intake")).json as unknown as Array<{
      sender: string;
      outcome: string;
      subject: string;
      reasons: string[];
      requestId: string | null;
    }>;
    expect(rows.length).toBe(Number(await count("email_intake")));
    expect(rows.filter((r) => r.outcome === "accepted")).toHaveLength(2);
    expect(rows.find((r) => r.outcome === "refused")?.sender).toBe("someone@elsewhere.example");
    expect(rows.find((r) => r.subject === "two attachments")?.reasons[0]).toMatch(/2 files are attached/);
  });
});
