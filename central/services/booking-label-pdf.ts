import bwipjs from "bwip-js/node";
import { PDFDocument, StandardFonts, rgb } from "pdf-lib";
import type { Kysely } from "kysely";
import type { Database } from "../db/schema";
import { encodeBookingLabel } from "../../shared/domain/labels";
import { loadBooking } from "./bookings";

/**
 * Req 3's printable booking label: an A6 PDF a person prints and fixes to the delivery, with
 * the GS1-128 symbol of the booking (the same element string the dock's scanner reads,
 * shared/domain/labels.ts) and the facts a driver needs in plain text. The symbol is drawn by
 * bwip-js (the Barcode Writer in Pure PostScript, GS1 rules checked) and laid out by pdf-lib,
 * both well-kept libraries: nothing here encodes bars by hand.
 */

export interface BookingLabelFacts {
  bookingRef: string;
  deliveryRef: string;
  partyName: string;
  facilityName: string;
  arrivalLocation: string;
  arrivalDate: string;
  arrivalWindow: string;
  redeliveryLocation: string;
  hubCount: number;
  palletCount: number;
}

/** The label's GS1-128 symbol as a PNG, with its human-readable line under the bars. */
export async function bookingLabelBarcodePng(
  bookingRef: string,
  deliveryRef: string,
): Promise<{ png: Buffer; hri: string; scan: string }> {
  const label = encodeBookingLabel({ bookingRef, deliveryRef });
  if (!label.ok) throw new Error(`booking label for ${bookingRef}: ${label.reason}`);
  const png = await bwipjs.toBuffer({
    bcid: "gs1-128",
    text: label.hri,
    scale: 3,
    height: 18,
    includetext: true,
    textxalign: "center",
    paddingwidth: 10,
    paddingheight: 4,
    backgroundcolor: "FFFFFF",
  });
  return { png, hri: label.hri, scan: label.scan };
}

/** The label PDF. Its Subject and Keywords carry the element string, so a program can check it without a scanner. */
export async function bookingLabelPdf(f: BookingLabelFacts): Promise<Uint8Array> {
  const { png, hri } = await bookingLabelBarcodePng(f.bookingRef, f.deliveryRef);
  const doc = await PDFDocument.create();
  doc.setTitle(`Re-flash booking label ${f.bookingRef}`);
  doc.setSubject(hri);
  doc.setKeywords([f.bookingRef, f.deliveryRef, hri]);
  doc.setProducer("DCC Communications Hub Re-Flash service");
  doc.setCreationDate(new Date(0));
  doc.setModificationDate(new Date(0));
  // A6 landscape (148 x 105 mm), the size of a pallet label pouch.
  const page = doc.addPage([419.53, 297.64]);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const image = await doc.embedPng(png);
  const margin = 18;
  let y = page.getHeight() - margin - 14;
  page.drawText("RE-FLASH BOOKING", { x: margin, y, size: 14, font: bold, color: rgb(0, 0, 0) });
  y -= 22;
  page.drawText(f.bookingRef, { x: margin, y, size: 20, font: bold });
  page.drawText(`Delivery ${f.deliveryRef}`, { x: margin + 200, y: y + 4, size: 11, font });
  const lines = [
    `From: ${f.partyName}`,
    `Arrive: ${f.arrivalDate} ${f.arrivalWindow} at ${f.facilityName}, ${f.arrivalLocation}`,
    `Returns to: ${f.redeliveryLocation}`,
    `${f.hubCount} hubs on ${f.palletCount} pallet(s)`,
  ];
  for (const line of lines) {
    y -= 15;
    page.drawText(clip(line, 80), { x: margin, y, size: 9, font });
  }
  const width = page.getWidth() - 2 * margin;
  const scale = Math.min(1, width / image.width, (y - margin - 6) / image.height);
  page.drawImage(image, {
    x: margin + (width - image.width * scale) / 2,
    y: margin,
    width: image.width * scale,
    height: image.height * scale,
  });
  return doc.save();
}

function clip(s: string, n: number): string {
  // Helvetica (WinAnsi) cannot draw every character a Party may type; keep printable Latin-1 only.
  const printable = s.replace(/[^\x20-\x7e\xa0-\xff]/g, "?");
  return printable.length <= n ? printable : `${printable.slice(0, n - 1)}…`;
}

/**
 * The label PDF of one booking as central holds it, or null when there is no such booking: the
 * one builder behind the acceptance email's attachment and the desk's label link.
 */
export async function bookingLabelPdfOf(db: Kysely<Database>, bookingRef: string): Promise<Uint8Array | null> {
  const b = await loadBooking(db, bookingRef);
  if (!b) return null;
  const facility = await db.selectFrom("facilities").select("name").where("id", "=", b.facilityId).executeTakeFirst();
  return bookingLabelPdf({
    bookingRef: b.bookingRef,
    deliveryRef: b.deliveryRef,
    partyName: b.partyName,
    facilityName: facility?.name ?? b.facilityId,
    arrivalLocation: `${b.deliveryLocation.name}, ${b.deliveryLocation.address}`,
    arrivalDate: b.deliveryDate,
    arrivalWindow: `${b.deliveryWindow.start}-${b.deliveryWindow.end}`,
    redeliveryLocation: b.redelivery
      ? `${b.redelivery.deliveryLocation.name}, ${b.redelivery.deliveryLocation.address}`
      : "",
    hubCount:
      b.pallets.reduce((n, p) => n + p.cartons.reduce((m, c) => m + c.hubs.length, 0) + (p.hubs?.length ?? 0), 0) +
      b.looseCartons.reduce((n, c) => n + c.hubs.length, 0),
    palletCount: b.pallets.length,
  });
}
