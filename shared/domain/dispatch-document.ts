import { bookingHubs, type Booking, type DispatchDocument, type DispatchPallet } from "./booking";
import { parseDeviceId } from "./device-id";
import { isValidSscc } from "./labels";
import { isFormulaLike, type TemplateRow } from "./request-template";
import type { RowProblem } from "../desk-api";

/**
 * The dispatch document of MP155 Req 4 (issue 19): which hubs the Party put on which pallet,
 * with its own pallet identifiers, when it sent them and under its signifier. Pure: the portal's
 * file is read into rows by central (CSV / XLSX, as the request template), then
 * `parseDispatchRows` and `checkDispatchDocument` decide; the dock looks pallets up with
 * `dispatchedPallet` / `dispatchedPalletOfHub`.
 */

/** The dispatch file: one row per hub. */
export const DISPATCH_COLUMNS = ["Pallet SSCC", "Pallet ID", "Device ID"] as const;

const norm = (s: string) =>
  s
    .replace(/^\uFEFF/, "")
    .toLowerCase()
    .replace(/[\s_-]/g, "");

export interface DispatchRowsParse {
  problems: RowProblem[];
  /** Null when any row has a problem. */
  pallets: DispatchPallet[] | null;
}

/** Reads a dispatch file's rows (header, then one row per hub) into pallets, or every row's problem. */
export function parseDispatchRows(rows: readonly TemplateRow[]): DispatchRowsParse {
  const problems: RowProblem[] = [];
  const nonBlank = rows.filter((r) => r.problem !== undefined || r.cells.some((c) => c.trim() !== ""));
  const header = nonBlank[0];
  if (header === undefined) return { problems: [{ line: 1, reason: "the file is empty" }], pallets: null };
  const names = header.cells.map(norm);
  while (names.length > 0 && names[names.length - 1] === "") names.pop();
  if (names.length !== DISPATCH_COLUMNS.length || DISPATCH_COLUMNS.some((c, i) => norm(c) !== names[i]))
    return {
      problems: [
        {
          line: header.line,
          reason: `the header must be ${DISPATCH_COLUMNS.join(", ")} (this is not the dispatch document's layout)`,
        },
      ],
      pallets: null,
    };
  const data = nonBlank.slice(1);
  if (data.length === 0)
    return { problems: [{ line: header.line, reason: "the file lists no hubs under the header" }], pallets: null };
  const pallets = new Map<string, { palletId: string; line: number; deviceIds: string[] }>();
  const palletOfId = new Map<string, string>();
  const lineOfHub = new Map<string, number>();
  for (const row of data) {
    if (row.problem !== undefined) {
      problems.push({ line: row.line, reason: row.problem });
      continue;
    }
    const cell = (i: number) => (row.cells[i] ?? "").trim();
    const formula = row.cells.findIndex((c) => isFormulaLike(c.trimStart()));
    if (formula >= 0) {
      problems.push({
        line: row.line,
        reason: `${DISPATCH_COLUMNS[formula] ?? `column ${formula + 1}`} starts with a formula character: type the value itself`,
      });
      continue;
    }
    const why: string[] = [];
    if (row.cells.slice(DISPATCH_COLUMNS.length).some((c) => c.trim() !== ""))
      why.push(`it has cells beyond the ${DISPATCH_COLUMNS.length} columns`);
    const sscc = cell(0);
    if (!/^\d{18}$/.test(sscc)) why.push(`pallet SSCC "${sscc}" is not 18 digits`);
    else if (!isValidSscc(sscc)) why.push(`pallet SSCC ${sscc} has a wrong check digit`);
    const palletId = cell(1);
    if (palletId === "") why.push("the pallet ID is missing");
    else if (palletId.length > 40 || !/^[\x20-\x7E]+$/.test(palletId))
      why.push("the pallet ID must be at most 40 printable characters");
    const id = parseDeviceId(cell(2));
    if (!id.ok) why.push(`device ID "${cell(2)}": ${id.reason}`);
    if (why.length > 0) {
      problems.push({ line: row.line, reason: why.join("; ") });
      continue;
    }
    const deviceId = id.ok ? id.deviceId : "";
    const firstLine = lineOfHub.get(deviceId);
    if (firstLine !== undefined) {
      problems.push({ line: row.line, reason: `hub ${deviceId} is listed twice (first on row ${firstLine})` });
      continue;
    }
    lineOfHub.set(deviceId, row.line);
    const p = pallets.get(sscc);
    if (p && p.palletId !== palletId) {
      problems.push({
        line: row.line,
        reason: `pallet ${sscc} is called "${p.palletId}" on row ${p.line} and "${palletId}" here`,
      });
      continue;
    }
    const other = palletOfId.get(palletId);
    if (other !== undefined && other !== sscc) {
      problems.push({ line: row.line, reason: `pallet ID "${palletId}" names two pallets, ${other} and ${sscc}` });
      continue;
    }
    palletOfId.set(palletId, sscc);
    if (p) p.deviceIds.push(deviceId);
    else pallets.set(sscc, { palletId, line: row.line, deviceIds: [deviceId] });
  }
  if (problems.length > 0) return { problems, pallets: null };
  return {
    problems,
    pallets: [...pallets].map(([sscc, p]) => ({ sscc, palletId: p.palletId, deviceIds: p.deviceIds })),
  };
}

export interface DispatchCheck {
  problems: string[];
  /** Per pallet of the document: the hubs it lists and the hubs the booking lists on that pallet. */
  pallets: Array<{ sscc: string; palletId: string; hubs: number; booked: number }>;
  /** Hubs of the booking's pallets that no pallet of the document lists. */
  notListed: number;
}

/** How far a sent time may be ahead of the clock that checks it (clocks differ). */
const FUTURE_SLACK_MS = 10 * 60_000;

/** Checks a dispatch document against its booking: every pallet and hub must be the booking's, in its place. */
export function checkDispatchDocument(doc: DispatchDocument, booking: Booking, now: Date): DispatchCheck {
  const problems: string[] = [];
  if (booking.status !== "authorised")
    problems.push(
      `booking ${booking.bookingRef} is ${booking.status}: a dispatch document is sent before the delivery arrives`,
    );
  const sent = Date.parse(doc.sentAt);
  if (Number.isNaN(sent)) problems.push(`the sent date and time ${doc.sentAt} is not a date`);
  else if (sent > now.getTime() + FUTURE_SLACK_MS)
    problems.push(`the sent date and time ${doc.sentAt} is in the future`);
  const where = new Map<string, string | null>(); // hub → its booked pallet (null: a loose carton)
  for (const h of bookingHubs(booking)) where.set(h.hub.deviceId, h.palletSscc);
  const booked = new Map<string, number>();
  for (const p of booking.pallets) booked.set(p.sscc, 0);
  for (const h of bookingHubs(booking))
    if (h.palletSscc !== null) booked.set(h.palletSscc, (booked.get(h.palletSscc) ?? 0) + 1);
  const seenPallet = new Set<string>();
  const seenId = new Map<string, string>();
  const seenHub = new Map<string, string>();
  let listedOnBookedPallets = 0;
  for (const p of doc.pallets) {
    const known = booked.has(p.sscc);
    if (!isValidSscc(p.sscc)) problems.push(`pallet SSCC ${p.sscc} has a wrong check digit`);
    else if (!known)
      problems.push(
        `pallet ${p.sscc} is not a pallet of booking ${booking.bookingRef} (its pallets: ${[...booked.keys()].join(", ") || "none"})`,
      );
    if (seenPallet.has(p.sscc)) problems.push(`pallet ${p.sscc} is listed twice`);
    seenPallet.add(p.sscc);
    const otherSscc = seenId.get(p.palletId);
    if (otherSscc !== undefined && otherSscc !== p.sscc)
      problems.push(`pallet ID "${p.palletId}" names two pallets, ${otherSscc} and ${p.sscc}`);
    seenId.set(p.palletId, p.sscc);
    for (const d of p.deviceIds) {
      const first = seenHub.get(d);
      if (first !== undefined) {
        problems.push(`hub ${d} is listed twice (on pallets ${first} and ${p.sscc})`);
        continue;
      }
      seenHub.set(d, p.sscc);
      if (!known) continue; // its pallet is named above; where its hubs belong says nothing more
      if (!where.has(d)) problems.push(`hub ${d} is not on booking ${booking.bookingRef}`);
      else {
        const at = where.get(d);
        if (at === null) problems.push(`hub ${d} is booked in a loose carton, not on pallet ${p.sscc}`);
        else if (at !== p.sscc) problems.push(`hub ${d} is booked on pallet ${at}, not on pallet ${p.sscc}`);
        else listedOnBookedPallets++;
      }
    }
  }
  const bookedOnPallets = [...booked.values()].reduce((a, b) => a + b, 0);
  return {
    problems,
    pallets: doc.pallets.map((p) => ({
      sscc: p.sscc,
      palletId: p.palletId,
      hubs: p.deviceIds.length,
      booked: booked.get(p.sscc) ?? 0,
    })),
    notListed: Math.max(0, bookedOnPallets - listedOnBookedPallets),
  };
}

/** The dispatch document's pallet with this SSCC on a booking, if the Party sent one. */
export function dispatchedPallet(booking: Booking, sscc: string): DispatchPallet | undefined {
  return booking.dispatch?.pallets.find((p) => p.sscc === sscc);
}

/** The dispatch document's pallet that holds this hub, if the Party sent one. */
export function dispatchedPalletOfHub(booking: Booking, deviceId: string): DispatchPallet | undefined {
  return booking.dispatch?.pallets.find((p) => p.deviceIds.includes(deviceId));
}
