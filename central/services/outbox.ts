import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import nodemailer from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport";
import { sql, type Kysely } from "kysely";
import type { Database } from "../db/schema";
import type { OpsOutboxRow } from "../../shared/desk-api";

/**
 * Notices to Parties by email (PIA 6.1). A notice is written to the outbox table in the same
 * transaction as the fact it reports, so it is never lost nor sent for a fact that rolled
 * back; `deliverOutbox` sends what is due, through SMTP when configured, else as .eml files.
 */

export type NoticeKind =
  | "request-accepted"
  | "request-rejected"
  | "authorisation"
  | "receipt-outcome"
  | "redelivery-notice"
  | "asn"
  | "asn-cancelled"
  | "late-arrival"
  | "amendment"
  | "fault-analysis-report"
  | "intake-reply"
  | "work-order-cancelled"
  | "work-order-closed";

/** `content` is text, or base64 of binary content (a PDF) when `encoding` says so. */
export interface Attachment {
  filename: string;
  contentType: string;
  content: string;
  encoding?: "base64";
}

export interface Notice {
  kind: NoticeKind;
  to: string;
  subject: string;
  text: string;
  attachments?: Attachment[];
  /** The Message-ID this notice answers: it is sent with In-Reply-To and References, so it threads under it. */
  inReplyTo?: string;
}

/** Queues a notice; call inside the transaction that records the fact it tells. */
export async function enqueueNotice(db: Kysely<Database>, n: Notice): Promise<number> {
  const row = await db
    .insertInto("outbox")
    .values({
      kind: n.kind,
      to_address: n.to,
      subject: n.subject,
      text_body: n.text,
      attachments: JSON.stringify(n.attachments ?? []),
      ...(n.inReplyTo !== undefined ? { in_reply_to: n.inReplyTo } : {}),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export type MailTarget = { kind: "smtp"; url: string } | { kind: "eml"; dir: string };

export interface DeliveryReport {
  sent: number;
  failed: number;
  retrying: number;
}

/**
 * How long a claimed notice is hidden from every other central process while this one sends it.
 * Longer than any send can take (nodemailer's SMTP timeouts are set below it), so a notice is
 * sent once; a process killed mid-send leaves the row to be sent again after the lease, by any
 * process (at least once, never lost; the `X-Reflash-Outbox-Id` header lets a reader tell).
 */
export const OUTBOX_LEASE_MS = 10 * 60_000;

/** What this process last saw of its mail target, for /health: the last delivery that worked, and the last error. */
export interface MailHealth {
  lastOkAt: Date | null;
  lastErrorAt: Date | null;
  lastError: string | null;
}
const mailHealth = new WeakMap<MailTarget, MailHealth>();
export function mailHealthOf(target: MailTarget): MailHealth {
  let h = mailHealth.get(target);
  if (!h) mailHealth.set(target, (h = { lastOkAt: null, lastErrorAt: null, lastError: null }));
  return h;
}

/**
 * Sends every pending notice that is due; a failure is retried with exponential backoff, then
 * marked failed. Safe with several central processes on one database: due rows are claimed in
 * one statement (`FOR UPDATE SKIP LOCKED`, their next attempt pushed a lease ahead), so two
 * processes never claim the same notice.
 */
export async function deliverOutbox(
  db: Kysely<Database>,
  target: MailTarget,
  opts: { from: string; maxAttempts: number; limit?: number; leaseMs?: number },
): Promise<DeliveryReport> {
  const leaseMs = opts.leaseMs ?? OUTBOX_LEASE_MS;
  const claimed = await db
    .updateTable("outbox")
    .set({ next_attempt_at: sql<string>`now() + ${leaseMs} * interval '1 millisecond'` })
    .where("id", "in", (eb) =>
      eb
        .selectFrom("outbox")
        .select("id")
        .where("status", "=", "pending")
        .where("next_attempt_at", "<=", sql<Date>`now()`)
        .orderBy("id")
        .limit(opts.limit ?? 100)
        .forUpdate()
        .skipLocked(),
    )
    .returningAll()
    .execute();
  const due = claimed.sort((a, b) => a.id - b.id);
  const report: DeliveryReport = { sent: 0, failed: 0, retrying: 0 };
  if (due.length === 0) return report;
  const transport =
    target.kind === "smtp"
      ? nodemailer.createTransport({
          url: target.url,
          connectionTimeout: 60_000,
          greetingTimeout: 30_000,
          socketTimeout: 120_000,
        } satisfies SMTPTransport.Options)
      : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "unix" });
  if (target.kind === "eml") await mkdir(target.dir, { recursive: true });
  try {
    for (const m of due) {
      const attempts = m.attempts + 1;
      try {
        const info = await transport.sendMail({
          from: opts.from,
          to: m.to_address,
          subject: m.subject,
          text: m.text_body,
          headers: { "X-Reflash-Notice": m.kind, "X-Reflash-Outbox-Id": String(m.id) },
          ...(m.in_reply_to !== null ? { inReplyTo: m.in_reply_to, references: [m.in_reply_to] } : {}),
          attachments: m.attachments.map((a) => ({
            filename: a.filename,
            contentType: a.contentType,
            content: a.content,
            ...(a.encoding === "base64" ? { encoding: "base64" } : {}),
          })),
        });
        if (target.kind === "eml") {
          const message = (info as { message?: unknown }).message;
          if (!Buffer.isBuffer(message)) throw new Error("stream transport returned no message buffer");
          await writeFile(join(target.dir, `${String(m.id).padStart(8, "0")}-${m.kind}.eml`), message);
        }
        await db
          .updateTable("outbox")
          .set({
            status: "sent",
            attempts,
            sent_at: new Date().toISOString(),
            message_id: info.messageId ?? null,
            last_error: null,
          })
          .where("id", "=", m.id)
          .execute();
        report.sent++;
        mailHealthOf(target).lastOkAt = new Date();
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        Object.assign(mailHealthOf(target), { lastErrorAt: new Date(), lastError: why.slice(0, 300) });
        const giveUp = attempts >= opts.maxAttempts;
        // Backoff 1, 2, 4 ... minutes, capped at an hour.
        const delayMs = Math.min(60 * 60_000, 60_000 * 2 ** (attempts - 1));
        await db
          .updateTable("outbox")
          .set({
            status: giveUp ? "failed" : "pending",
            attempts,
            last_error: why.slice(0, 1000),
            next_attempt_at: new Date(Date.now() + delayMs).toISOString(),
          })
          .where("id", "=", m.id)
          .execute();
        if (giveUp) report.failed++;
        else report.retrying++;
      }
    }
  } finally {
    transport.close();
  }
  return report;
}

/** The newest `limit` notices of the outbox, newest first, as the desk and the DCC API list them. */
export async function recentNotices(db: Kysely<Database>, limit: number): Promise<OpsOutboxRow[]> {
  const rows = await db
    .selectFrom("outbox")
    .select(["id", "kind", "to_address", "subject", "status", "attempts", "last_error", "created_at", "sent_at"])
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    to: r.to_address,
    subject: r.subject,
    status: r.status,
    attempts: r.attempts,
    lastError: r.last_error,
    createdAt: new Date(r.created_at).toISOString(),
    sentAt: r.sent_at === null ? null : new Date(r.sent_at).toISOString(),
  }));
}
