import type { Kysely } from "kysely";
import type { Database } from "../db/schema";
import type { BusinessConfig } from "../config";
import { ReflashRequestSchema } from "../api-schemas";
import { submitRequest, type RequestOutcome } from "../services/requests";
import type { RequestDetails, RowProblem, TemplateCheck, Upload } from "../../shared/desk-api";
import { parseTemplateRows, type TemplateParse } from "../../shared/domain/request-template";
import { decodeUpload, readRows } from "./files";

/**
 * One way a filled request template becomes a request, whether it was uploaded on the portal
 * or attached to an email (issue 19: "processed exactly as an upload"): decode and bound the
 * file, read it (CSV or XLSX, zip limits), check every row, shape the request and hand it to
 * the request service. Each caller only turns the result into its answer (HTTP or a reply).
 */

export type TemplateRead = { ok: false; reason: string } | { ok: true; parse: TemplateParse };

/** Reads an uploaded template: a reason the file cannot be read at all, or every row's problem. */
export async function readTemplate(file: Upload): Promise<TemplateRead> {
  const decoded = decodeUpload(file);
  if (!decoded.ok) return decoded;
  const rows = await readRows(file.fileName, decoded.bytes);
  if (!rows.ok) return rows;
  return { ok: true, parse: parseTemplateRows(rows.rows) };
}

export function checkOf(t: TemplateParse): TemplateCheck {
  return {
    rows: t.counts.rows,
    hubs: t.counts.hubs,
    pallets: t.counts.pallets,
    cartons: t.counts.cartons,
    problems: t.problems,
  };
}

export type TemplateSubmission =
  /** The file cannot be read (empty, too large, damaged, not CSV/XLSX, a zip bomb). */
  | { kind: "bad-file"; reason: string }
  /** Rows need fixing: nothing was submitted. */
  | { kind: "bad-rows"; check: TemplateCheck }
  /** The file reads, but does not fit one request (e.g. too many pallets). */
  | { kind: "too-large"; reason: string }
  /** Submitted: the request service's outcome, its per-hub reasons placed back on the file's rows. */
  | { kind: "submitted"; outcome: RequestOutcome; lines: RowProblem[] };

export async function submitTemplate(
  db: Kysely<Database>,
  business: BusinessConfig,
  partyId: string,
  file: Upload,
  details: RequestDetails,
  clientRequestId: string,
): Promise<TemplateSubmission> {
  const read = await readTemplate(file);
  if (!read.ok) return { kind: "bad-file", reason: read.reason };
  const t = read.parse;
  if (t.content === null) return { kind: "bad-rows", check: checkOf(t) };
  const request = ReflashRequestSchema.safeParse({
    clientRequestId,
    ...details,
    pallets: t.content.pallets,
    looseCartons: t.content.looseCartons,
  });
  if (!request.success)
    return {
      kind: "too-large",
      reason: `the file does not fit one request: ${request.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join(".")}: ${i.message}`)
        .join("; ")}`,
    };
  const outcome = await submitRequest(db, partyId, request.data, business);
  // Central's per-hub reasons, placed on the file's lines.
  const lines: RowProblem[] = outcome.reasons.flatMap((r) => {
    const m = /^hub (.+)$/.exec(r.scope);
    const line = m?.[1] !== undefined ? t.lineOfHub.get(m[1]) : undefined;
    return line === undefined ? [] : [{ line, reason: `${m?.[1]}: ${r.reason}` }];
  });
  return { kind: "submitted", outcome, lines };
}
