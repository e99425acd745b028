import { randomUUID } from "node:crypto";
import type { Page } from "@playwright/test";
import { insertInventoryFor } from "../central/demo-world";
import { addDays, dayOfWeek, today } from "../central/services/working-time";
import { demoBooking, DEMO_PARTIES } from "../shared/domain/demo-booking";
import { makeSscc } from "../shared/domain/labels";
import { EXAMPLE_WORKING_HOURS } from "../shared/domain/working-hours";
import { localEvents, openReceiptAndStartUnloading, setUpScannerAndSignIn, wedgeScan } from "./dock-actions";
import { expect, test } from "./fixtures";

/**
 * A delivery as it really arrives (issue 16): the Party's request lists pallets and GUIDs
 * but no cartons; each pallet carries only the Party's plain GS1 SSCC label (no kind of
 * ours) and the DCC booking label; the cartons on it carry only their original supplier's
 * labels (a carton number on pallet 1, the supplier's own SSCC on pallet 2). Received to a
 * partial acceptance (one hub damaged, one never arrived), then the rejected hub is refused
 * at the jig station while an accepted one is taken.
 */

const PARTY = DEMO_PARTIES[0];
/** What the Party ships: 2 pallets × 2 cartons × 4 hubs (the cartons are never listed). */
const shipment = demoBooking({
  seed: 16,
  csp: "North",
  partyId: PARTY.id,
  pallets: 2,
  cartonsPerPallet: 2,
  hubsPerCarton: 4,
  looseCartons: 0,
});
const [pallet1, pallet2] = [shipment.pallets[0]!, shipment.pallets[1]!];
const DAMAGED = pallet1.cartons[1]!.hubs[2]!.deviceId;
const NEVER_ARRIVED = pallet2.cartons[1]!.hubs[3]!.deviceId;
const GOOD = pallet1.cartons[0]!.hubs[0]!.deviceId;
/** The original supplier's own SSCCs on pallet 2's cartons: on no booking. */
const supplierSscc = (i: number) => (makeSscc(`50600000000${String(i).padStart(5, "0")}`, 1) as { sscc: string }).sscc;

function workingDayAhead(days: number): string {
  let d = addDays(today(), days);
  while (dayOfWeek(d) === 0 || dayOfWeek(d) === 6 || EXAMPLE_WORKING_HOURS.bankHolidays.includes(d)) d = addDays(d, 1);
  return d;
}

async function expectVerdict(page: Page, code: string): Promise<void> {
  await expect(page.getByTestId("verdict")).toHaveAttribute("data-code", code);
}

test("a real delivery: plain SSCC pallets, supplier-labelled cartons, a pallet-only booking; partial acceptance; the rejected hub refused at the jig", async ({
  page,
  dock,
}) => {
  test.skip(dock.central === null, "central/main.ts is not there yet");
  test.skip(dock.rendererIsPlaceholder, "renderer/dist is not built: npx vite build --config renderer/vite.config.ts");
  const tokens = dock.centralTokens()!;
  const dockToken = tokens.docks["DOCK-N1"]!;

  // The Party's request through central's API: pallets and GUIDs, no cartons.
  await dock.centralDb((db) => insertInventoryFor(db, [shipment]));
  const res = await fetch(`${dock.centralUrl}/requests`, {
    method: "POST",
    headers: { authorization: `Bearer ${tokens.parties[PARTY.id]!}`, "content-type": "application/json" },
    body: JSON.stringify({
      clientRequestId: randomUUID(),
      facilityId: shipment.facilityId,
      deliveryLocationId: shipment.deliveryLocation.id,
      deliveryDate: workingDayAhead(7),
      deliveryWindow: { start: "10:00", end: "12:00" },
      // Re-delivery to one of the Party's own listed locations (MP155 Req 1, 7), never the CSP's dock.
      redelivery: {
        locationId: `${PARTY.id}-DEPOT`,
        deliveryDate: workingDayAhead(14),
        deliveryWindow: { start: "10:00", end: "12:00" },
      },
      contact: { name: "Pat Returns", email: "pat@supplier-a.example", phone: "+44 161 000 0000" },
      pallets: shipment.pallets.map((p) => ({
        sscc: p.sscc,
        cartons: [],
        hubs: p.cartons
          .flatMap((c) => c.hubs)
          .map((h) => ({
            deviceId: h.deviceId,
            firmwareVersion: h.firmwareVersion,
            manufacturer: h.manufacturer,
            deviceModel: h.deviceModel,
          })),
      })),
      looseCartons: [],
    }),
  });
  const accepted = (await res.json()) as {
    status: string;
    booking: { bookingRef: string; deliveryRef: string; label: { scan: string } };
  };
  expect(res.status).toBe(201);
  expect(accepted.status).toBe("accepted");
  const booking = accepted.booking;

  await page.goto(dock.pageUrl({ token: dockToken }));
  await setUpScannerAndSignIn(page, { id: "OP-N-SUP", role: "supervisor" });
  await expect(page.getByTestId(`open-${booking.bookingRef}`)).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId(`open-${booking.bookingRef}`)).toContainText("16 hubs");

  // On the bookings list, a supplier's carton number gets an answer; the DCC booking label opens the receipt.
  await page.locator("h1").click();
  await wedgeScan(page, "TOSH-C0001");
  await expect(page.getByTestId("bookings-notice")).toContainText("supplier's carton number");
  await openReceiptAndStartUnloading(page, booking);
  await page.locator("h1").click();

  // Pallet 1: the Party's plain SSCC (AIM prefix, no kind of ours), then the DCC label on it.
  await wedgeScan(page, `]C100${pallet1.sscc}`);
  await expectVerdict(page, "pallet-expected");
  await expect(page.getByTestId("verdict")).toContainText("no cartons listed");
  // Cartons with their original supplier's carton numbers only.
  for (const [c, carton] of pallet1.cartons.entries()) {
    await wedgeScan(page, `TOSH-C000${c + 1}`);
    await expectVerdict(page, "carton-unlisted");
    for (const h of carton.hubs) {
      await wedgeScan(page, h.deviceId);
      await expectVerdict(page, "hub-expected");
    }
  }
  // Pallet 2: its SSCC as HRI text; cartons with the supplier's own SSCCs (on no booking).
  await wedgeScan(page, `(00)${pallet2.sscc}`);
  await expectVerdict(page, "pallet-expected");
  for (const [c, carton] of pallet2.cartons.entries()) {
    await wedgeScan(page, `00${supplierSscc(c)}`);
    await expectVerdict(page, "carton-unlisted");
    for (const h of carton.hubs) {
      if (h.deviceId === NEVER_ARRIVED) continue;
      await wedgeScan(page, h.deviceId);
      await expectVerdict(page, "hub-expected");
    }
  }
  // A misread SSCC (wrong check digit) stays unreadable, with that reason, and records nothing countable.
  const bad = `00${pallet2.sscc.slice(0, 17)}${(Number(pallet2.sscc[17]) + 1) % 10}`;
  await wedgeScan(page, bad);
  await expect(page.getByTestId("verdict-error")).toHaveAttribute("data-code", "unreadable");
  await expect(page.getByTestId("verdict-error")).toContainText("check digit");
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("count-hubs")).toContainText("Hubs1516");

  // The hubs' containers on arrival are in the log: the supplier's carton number, or its SSCC.
  const recorded = await localEvents(page, "scan.recorded");
  const hubEvent = recorded.find((e) => e.type === "scan.recorded" && e.payload.deviceId === GOOD);
  expect(hubEvent?.type === "scan.recorded" && [hubEvent.payload.palletSscc, hubEvent.payload.cartonNumber]).toEqual([
    pallet1.sscc,
    "TOSH-C0001",
  ]);

  // Accepted in part: one hub damaged.
  await page.locator("h1").click();
  await page.keyboard.press("F4");
  await page.getByLabel("Accepted in part").check();
  await page.getByLabel("Other hubs rejected (damaged), one ID a line").fill(DAMAGED);
  await page.getByLabel("Damage noted").fill("casing cracked");
  await page.getByRole("button", { name: "Close receipt" }).click();
  await expect(page.getByTestId(`open-${booking.bookingRef}`)).toContainText("received (partial)");

  // The jig station: the rejected hub is refused with that reason; an accepted one is taken.
  await page.getByTestId("nav-jig").click();
  await page.locator("h1").click();
  await wedgeScan(page, DAMAGED);
  await expect(page.getByTestId("jig-notice")).toHaveAttribute("data-tone", "error");
  await expect(page.getByTestId("jig-notice")).toContainText(`${DAMAGED} was rejected at receipt`);
  // Each refusal blocks the station until acknowledged (Esc), as receiving's errors do.
  await page.keyboard.press("Escape");
  await wedgeScan(page, NEVER_ARRIVED);
  await expect(page.getByTestId("jig-notice")).toContainText("has not been received");
  await page.keyboard.press("Escape");
  await wedgeScan(page, GOOD);
  await expect(page.getByTestId("jig-notice")).toContainText("scan the slot");

  // Central got the receipt as the dock closed it.
  await expect
    .poll(async () => (await page.getByTestId("sync-unsent").textContent()) ?? "", { timeout: 60_000 })
    .toMatch(/unsent: 0/);
  const local = (await localEvents(page, "scan.recorded")).map((e) => e.id).sort();
  await dock.centralDb(async (db) => {
    // Every scan, the new kinds (sscc, carton-number) and container fields included, was taken by central: none quarantined.
    const scans = await db
      .selectFrom("events")
      .select(["id"])
      .where("type", "=", "scan.recorded")
      .where("booking_ref", "=", booking.bookingRef)
      .execute();
    expect(scans.map((r) => r.id).sort()).toEqual(local);
    const closed = await db
      .selectFrom("events")
      .select(["payload"])
      .where("type", "=", "receipt.closed")
      .where("booking_ref", "=", booking.bookingRef)
      .execute();
    expect(JSON.stringify(closed[0]?.payload)).toContain(DAMAGED);
  });
});
