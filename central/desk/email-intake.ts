import { createHash } from "node:crypto";
import type { Kysely } from "kysely";
import { simpleParser, type Attachment as MailAttachment, type ParsedMail } from "mailparser";
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from "smtp-server";
import type { Database } from "../db/schema";
import type { BusinessConfig } from "../config";
import { ApiError } from "../http/api-error";
import { loadBooking } from "../services/bookings";
import { bookingLabelPdfOf } from "../services/booking-label-pdf";
import { enqueueNotice, type Attachment } from "../services/outbox";
import { deskAudit } from "../services/people";
import { EMAIL_DETAILS_EXAMPLE, parseEmailDetails } from "../../shared/domain/email-request";
import { submitTemplate, readTemplate } from "./template-request";
import { deskDb } from "./schema";

/**
 * Email intake (issue 19; PIA 6.2.4 "Parties interact with DCC via email"): a request mailed to
 * the DCC's request mailbox with the filled template attached is processed exactly as a portal
 * upload (`submitTemplate`, the same code path) and answered by email: the acceptance with the
 * booking label PDF, or the rejection with every reason. Central receives the message itself
 * over SMTP (smtp-server, the Nodemailer project's server; mailparser reads the MIME), so no
 * mailbox password is held and a message is answered as it arrives.
 *
 * - The sender (the From address) must be an active Party user's address or a Party's
 *   registered address; anyone else gets a polite refusal and nothing is booked.
 * - A message is recorded by its Message-ID (`email_intake`) with what it was answered: the same
 *   message delivered again books nothing and is not answered again. Its request id is derived
 *   from the Message-ID too, so even a crash between booking and recording cannot book twice.
 * - Bounces, auto-replies and list mail (RFC 3834) are never answered: no mail loops.
 * - The SMTP answer (250) is given only once the message is recorded; a failure to record answers
 *   451, so the sending server tries again later.
 */

export interface MailIntakeConfig {
  /** The request mailbox, e.g. requests@dcc.example: the only recipient taken. */
  address: string;
  host: string;
  port: number;
  /** The largest message taken (SMTP SIZE); larger ones are refused by the SMTP answer itself. */
  maxMessageBytes: number;
}

export const DEFAULT_MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

/** MAIL_INTAKE_PORT switches the intake on; the address it takes mail for is MAIL_INTAKE_ADDRESS. */
export function mailIntakeFromEnv(env: Record<string, string | undefined>): MailIntakeConfig | null {
  const portText = env.MAIL_INTAKE_PORT;
  if (portText === undefined || portText === "") return null;
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`MAIL_INTAKE_PORT must be a port number (0-65535), not "${portText}"`);
  const address = (env.MAIL_INTAKE_ADDRESS ?? "").trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+$/.test(address))
    throw new Error(
      "MAIL_INTAKE_ADDRESS must name the request mailbox (e.g. requests@dcc.example) when MAIL_INTAKE_PORT is set",
    );
  const maxText = env.MAIL_INTAKE_MAX_BYTES;
  const max = maxText === undefined || maxText === "" ? DEFAULT_MAX_MESSAGE_BYTES : Number(maxText);
  if (!Number.isInteger(max) || max < 64 * 1024)
    throw new Error(`MAIL_INTAKE_MAX_BYTES must be a whole number of bytes, at least 65536, not "${maxText}"`);
  return { address, host: env.MAIL_INTAKE_HOST || "127.0.0.1", port, maxMessageBytes: max };
}

export type IntakeResult =
  | { outcome: "accepted"; messageId: string; requestId: string; bookingRef: string }
  | { outcome: "rejected"; messageId: string; requestId: string | null; reasons: string[] }
  | { outcome: "refused"; messageId: string; reasons: string[] }
  /** The same Message-ID was processed before: nothing done, nothing answered. */
  | { outcome: "duplicate"; messageId: string }
  /** A bounce, an auto-reply, list mail or a message without a sender: never answered. */
  | { outcome: "ignored"; messageId: string | null; why: string };

const TEMPLATE_FILE = /\.(csv|xlsx|txt)$/i;
const TEMPLATE_TYPES = new Set([
  "text/csv",
  "application/csv",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  "application/vnd.ms-excel",
]);
const isTemplate = (a: MailAttachment) =>
  (a.filename !== undefined && TEMPLATE_FILE.test(a.filename)) || TEMPLATE_TYPES.has(a.contentType.toLowerCase());

/** A UUID (version-8 layout) derived from the Message-ID: the request's idempotency key. */
export function requestIdOfMessage(messageId: string): string {
  const h = createHash("sha256").update(`email-intake:${messageId}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16] ?? "0", 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Why a message must never be answered (RFC 3834 and bounces), or null. */
function noReplyReason(mail: ParsedMail, envelopeFrom: string | null): string | null {
  if (envelopeFrom === "") return "a bounce (empty envelope sender)";
  const auto = mail.headers.get("auto-submitted");
  if (typeof auto === "string" && auto.trim().toLowerCase() !== "no")
    return `an automatic message (Auto-Submitted: ${auto})`;
  const precedence = mail.headers.get("precedence");
  if (typeof precedence === "string" && /^(bulk|junk|list)$/i.test(precedence.trim()))
    return `list or bulk mail (Precedence: ${precedence})`;
  if (mail.headers.has("list-id")) return "list mail (List-Id)";
  return null;
}

interface Sender {
  address: string;
  partyId: string | null;
}

async function matchSender(db: Kysely<Database>, address: string): Promise<Sender> {
  const person = await deskDb(db)
    .selectFrom("people")
    .select(["party_id"])
    .where((eb) => eb(eb.fn("lower", ["email"]), "=", address))
    .where("role", "=", "party-user")
    .where("active", "=", true)
    .where("party_id", "is not", null)
    .executeTakeFirst();
  if (person?.party_id) return { address, partyId: person.party_id };
  const parties = await db
    .selectFrom("parties")
    .select("id")
    .where((eb) => eb(eb.fn("lower", ["email"]), "=", address))
    .execute();
  // An address two Parties share names neither of them.
  return { address, partyId: parties.length === 1 ? (parties[0]?.id ?? null) : null };
}

const SIGN = "\n\n-- \nDCC Communications Hub Re-Flash service (this mailbox answers automatically)";

function quoteOf(subject: string, date: Date | undefined): string {
  return `your message "${subject || "(no subject)"}"${date ? ` of ${date.toISOString().slice(0, 16).replace("T", " ")} UTC` : ""}`;
}

async function labelAttachment(db: Kysely<Database>, bookingRef: string): Promise<Attachment[]> {
  const pdf = await bookingLabelPdfOf(db, bookingRef);
  if (!pdf) return [];
  return [
    {
      filename: `booking-label-${bookingRef}.pdf`,
      contentType: "application/pdf",
      content: Buffer.from(pdf).toString("base64"),
      encoding: "base64",
    },
  ];
}

/**
 * Processes one received message (its raw RFC 5322 bytes): records it and queues its answer in
 * one transaction, unless its Message-ID was processed before.
 */
export async function handleRequestEmail(
  db: Kysely<Database>,
  business: BusinessConfig,
  raw: Buffer,
  envelopeFrom: string | null,
): Promise<IntakeResult> {
  const mail = await simpleParser(raw, { skipImageLinks: true, skipTextLinks: true });
  const messageId = (
    mail.messageId ?? `<sha256-${createHash("sha256").update(raw).digest("hex")}@intake.invalid>`
  ).slice(0, 998);
  const from = mail.from?.value[0]?.address?.trim().toLowerCase() ?? "";
  if (!/^[^\s@]+@[^\s@]+$/.test(from)) return { outcome: "ignored", messageId, why: "no sender address" };
  const noReply = noReplyReason(mail, envelopeFrom);
  if (noReply) return { outcome: "ignored", messageId, why: noReply };
  const prior = await db
    .selectFrom("email_intake")
    .select("message_id")
    .where("message_id", "=", messageId)
    .executeTakeFirst();
  if (prior) return { outcome: "duplicate", messageId };

  const subject = (mail.subject ?? "").slice(0, 300);
  const replySubject = /^re:/i.test(subject) ? subject : `Re: ${subject || "your re-flash request"}`;
  const quote = quoteOf(subject, mail.date);
  const sender = await matchSender(db, from);

  /** Records the message and queues its answer; a concurrent twin loses the insert and answers nothing. */
  const answer = async (
    result: Exclude<IntakeResult, { outcome: "duplicate" } | { outcome: "ignored" }>,
    text: string,
    attachments: Attachment[] = [],
  ): Promise<IntakeResult> =>
    db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto("email_intake")
        .values({
          message_id: messageId,
          sender: from,
          party_id: sender.partyId,
          subject,
          outcome: result.outcome,
          request_id: "requestId" in result ? result.requestId : null,
          reasons: JSON.stringify("reasons" in result ? result.reasons : []),
        })
        .onConflict((oc) => oc.column("message_id").doNothing())
        .returning("message_id")
        .executeTakeFirst();
      if (!row) return { outcome: "duplicate", messageId };
      await enqueueNotice(trx, {
        kind: "intake-reply",
        to: from,
        subject: replySubject,
        text: text + SIGN,
        attachments,
        inReplyTo: messageId,
      });
      await deskAudit(deskDb(trx), `email:${from}`, `email.request-${result.outcome}`, {
        messageId,
        partyId: sender.partyId,
        ...("requestId" in result ? { requestId: result.requestId } : {}),
        ...("reasons" in result ? { reasons: result.reasons.length } : {}),
      });
      return result;
    });

  if (sender.partyId === null) {
    const reasons = [`${from} is not the registered address of a Party or of a Party's user`];
    return answer(
      { outcome: "refused", messageId, reasons },
      `Thank you for ${quote}.\n\nThe DCC's re-flash request mailbox takes requests only from the registered email addresses of ` +
        `Parties and their users, and ${from} is not one of them, so nothing was booked.\n\n` +
        `If you send requests for a Party, please ask your DCC contact (${business.dccContact.email}) to register this address, ` +
        `or use the Party portal.`,
    );
  }
  const partyId = sender.partyId;

  const reject = (reasons: string[], requestId: string | null = null) =>
    answer(
      { outcome: "rejected", messageId, requestId, reasons },
      `Thank you for ${quote}. It was not accepted, and nothing was booked, for ${reasons.length === 1 ? "this reason" : "these reasons"}:\n\n` +
        reasons.map((r) => `- ${r}`).join("\n") +
        `\n\nPlease correct ${reasons.length === 1 ? "it" : "them"} and send the request again as a new message, with the filled ` +
        `request template (CSV or XLSX) attached and the delivery details written in the message as:\n\n${EMAIL_DETAILS_EXAMPLE}`,
    );

  const files = mail.attachments.filter(isTemplate);
  const others = mail.attachments.filter((a) => !isTemplate(a) && a.contentDisposition === "attachment");
  const reasons: string[] = [];
  if (files.length === 0)
    reasons.push(
      others.length > 0
        ? `no request template is attached (${others.map((a) => a.filename ?? a.contentType).join(", ")} ${others.length === 1 ? "is" : "are"} not a CSV or XLSX file)`
        : "no request template is attached: attach the filled template as a CSV or XLSX file",
    );
  if (files.length > 1)
    reasons.push(
      `${files.length} files are attached (${files.map((a) => a.filename ?? a.contentType).join(", ")}); attach one request template per message`,
    );
  const details = parseEmailDetails(mail.text ?? "", from);
  if (!details.ok) reasons.push(...details.problems);
  const file = files.length === 1 ? files[0] : undefined;
  const upload = file
    ? {
        fileName: (file.filename ?? (file.contentType.includes("csv") ? "request.csv" : "request.xlsx")).slice(0, 200),
        contentBase64: file.content.toString("base64"),
      }
    : null;
  if (upload === null || !details.ok) {
    // Every reason at once: the file's own problems too, when there is one file.
    if (upload) {
      const read = await readTemplate(upload);
      if (!read.ok) reasons.push(read.reason);
      else reasons.push(...read.parse.problems.map((p) => `row ${p.line}: ${p.reason}`));
    }
    return reject(reasons);
  }

  const requestKey = requestIdOfMessage(messageId);
  let r: Awaited<ReturnType<typeof submitTemplate>>;
  try {
    r = await submitTemplate(db, business, partyId, upload, details.details, requestKey);
  } catch (e) {
    // Booked before, but not recorded (a crash in between): answer from what was booked.
    if (!(e instanceof ApiError && e.code === "replayed-request")) throw e;
    const req = await db
      .selectFrom("requests")
      .leftJoin("work_orders", "work_orders.request_id", "requests.id")
      .leftJoin("bookings", "bookings.work_order_id", "work_orders.id")
      .select(["requests.id", "requests.status", "bookings.booking_ref"])
      .where("requests.client_request_id", "=", requestKey)
      .executeTakeFirstOrThrow();
    if (req.status === "accepted" && req.booking_ref) return accept(req.id, req.booking_ref);
    return reject([`request ${req.id} was already received from this message and ${req.status}`], req.id);
  }
  if (r.kind === "bad-file" || r.kind === "too-large") return reject([r.reason]);
  if (r.kind === "bad-rows") return reject(r.check.problems.map((p) => `row ${p.line}: ${p.reason}`));
  const { outcome, lines } = r;
  if (outcome.status === "accepted" && outcome.booking) return accept(outcome.requestId, outcome.booking.bookingRef);
  const placed = new Set(lines.map((l) => l.reason));
  return reject(
    [
      ...lines.map((l) => `row ${l.line}: ${l.reason}`),
      ...outcome.reasons
        .filter((x) => !placed.has(`${x.scope.replace(/^hub /, "")}: ${x.reason}`))
        .map((x) => `${x.scope}: ${x.reason}`),
    ],
    outcome.requestId,
  );

  async function accept(requestId: string, bookingRef: string): Promise<IntakeResult> {
    const b = await loadBooking(db, bookingRef);
    const label = await labelAttachment(db, bookingRef);
    return answer(
      { outcome: "accepted", messageId, requestId, bookingRef },
      `Thank you for ${quote}. Your re-flash request ${requestId} is accepted.\n\n` +
        `Booking reference: ${bookingRef}\nDelivery reference: ${b?.deliveryRef ?? ""}\nWork Order: ${b?.workOrderId ?? ""}\n` +
        (b
          ? `Arrival: ${b.deliveryLocation.name}, ${b.deliveryDate} ${b.deliveryWindow.start}-${b.deliveryWindow.end}\n` +
            (b.redelivery
              ? `Re-delivery: ${b.redelivery.deliveryLocation.name}, ${b.redelivery.deliveryDate} ${b.redelivery.deliveryWindow.start}-${b.redelivery.deliveryWindow.end}\n`
              : "")
          : "") +
        `\nThe booking label is attached (PDF): print it and fix it to the delivery. The authorisation follows to your Party's address.`,
      label,
    );
  }
}

export interface MailIntakeServer {
  port: number;
  close(): Promise<void>;
}

/**
 * The SMTP listener: takes mail for the request mailbox only (any other recipient is refused at
 * RCPT TO), at most `maxMessageBytes` (SIZE; larger is refused with 552), and handles one message
 * at a time, so two deliveries of one message never race. Put it behind the site's mail server
 * (which checks SPF/DKIM/DMARC and relays to it), or expose it on a host where that is done.
 */
export async function startMailIntake(
  db: Kysely<Database>,
  business: BusinessConfig,
  cfg: MailIntakeConfig,
  log: { info(msg: string): void; error(msg: string): void } = { info: () => {}, error: () => {} },
): Promise<MailIntakeServer> {
  let queue: Promise<unknown> = Promise.resolve();
  const server = new SMTPServer({
    name: "reflash-intake",
    banner: "DCC re-flash request mailbox",
    disabledCommands: ["AUTH", "STARTTLS"],
    authOptional: true,
    size: cfg.maxMessageBytes,
    logger: false,
    onRcptTo(address, _session, callback) {
      if (address.address.trim().toLowerCase() !== cfg.address) {
        const err = Object.assign(new Error(`no mailbox ${address.address} here; requests go to ${cfg.address}`), {
          responseCode: 550,
        });
        return callback(err);
      }
      callback();
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        if (stream.sizeExceeded) {
          const err = Object.assign(new Error(`the message is larger than ${cfg.maxMessageBytes} bytes`), {
            responseCode: 552,
          });
          return callback(err);
        }
        const mailFrom = session.envelope.mailFrom === false ? "" : session.envelope.mailFrom.address;
        const job = queue.then(() => handleRequestEmail(db, business, Buffer.concat(chunks), mailFrom));
        queue = job.catch(() => undefined);
        job.then(
          (r) => {
            log.info(`mail intake: ${r.messageId ?? "(no Message-ID)"} ${r.outcome}`);
            callback(null, `${r.outcome}`);
          },
          (e: unknown) => {
            log.error(`mail intake: cannot process a message: ${e instanceof Error ? e.message : String(e)}`);
            callback(Object.assign(new Error("cannot take the message now; try again later"), { responseCode: 451 }));
          },
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(cfg.port, cfg.host, () => resolve());
  });
  server.on("error", (e: Error) => log.error(`mail intake: ${e.message}`));
  const address = server.server.address();
  const port = typeof address === "object" && address !== null ? address.port : cfg.port;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
