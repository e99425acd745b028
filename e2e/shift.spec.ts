import { randomUUID } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { demoBooking, DEMO_PARTIES } from "../shared/domain/demo-booking";
import { encodeBookingLabel, encodeCartonLabel, encodePalletLabel } from "../shared/domain/labels";
import { importCentralFirmware } from "../host/jig/jig-firmware-import";
import { scanOf, setUpScannerAndSignIn, signIn, signOut, wedgeScan } from "./dock-actions";
import { expect, test } from "./fixtures";

/**
 * A shift at the dock without surprises (issue 18), the technician's side: the jig station
 * keeps the keyboard on its hub/slot field, refuses a hub flashed already at its scan, lets
 * a supervisor allow a second flash with a reason, blocks on refusals until acknowledged,
 * unloads everything finished at once, refuses a receiver, and holds its layout at
 * 1024×768, 1366×768 and 1920×1080 with no axe violations.
 */

const booking = demoBooking({ csp: "North", partyId: DEMO_PARTIES[0].id });
const pallet0 = booking.pallets[0]!;
const carton0 = pallet0.cartons[0]!;
/** 0-2 for the shift's steps, 3 for a manual Fault Analysis Report, 4-19 to fill the jigs for the layout check. */
const hubs = carton0.hubs.slice(0, 20);
const firmwareDir = join(tmpdir(), `dock-e2e-shift-firmware-${randomUUID()}`);

test.use({ hostEnv: { JIG_FIRMWARE_DIR: firmwareDir, JIG_FLASH_MS: "1500" } });
test.afterAll(() => rmSync(firmwareDir, { recursive: true, force: true }));

const SIZES = [
  { width: 1024, height: 768 },
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 },
] as const;

/** Screenshots the screen at each size and checks nothing in the header is clipped and `keys` are within the viewport. */
async function checkLayouts(page: Page, name: string, keys: string[]): Promise<void> {
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await page.screenshot({ path: `test-results/shift/${name}-${size.width}x${size.height}.png` });
    const header = await page
      .locator("header")
      .first()
      .evaluate((h) => {
        const clipped = [h, ...Array.from(h.querySelectorAll("*"))]
          .filter((e) => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== "visible")
          .map((e) => e.tagName);
        return { height: h.getBoundingClientRect().height, clipped };
      });
    expect(header.clipped, `${name} at ${size.width}×${size.height}: nothing clipped in the header`).toEqual([]);
    expect(header.height, `${name} at ${size.width}×${size.height}: the header holds in at most two rows`).toBeLessThan(
      100,
    );
    for (const key of keys) {
      const box = await page.getByTestId(key).boundingBox();
      expect(box, `${key} on show`).not.toBeNull();
      expect(
        box!.y + box!.height,
        `${name} at ${size.width}×${size.height}: ${key} above the fold`,
      ).toBeLessThanOrEqual(size.height);
      expect(
        box!.x + box!.width,
        `${name} at ${size.width}×${size.height}: ${key} within the width`,
      ).toBeLessThanOrEqual(size.width);
    }
  }
  await page.setViewportSize(SIZES[1]);
}

async function axe(page: Page, name: string): Promise<void> {
  const r = await new AxeBuilder({ page }).analyze();
  expect(r.violations.map((v) => `${name}: ${v.id} (${v.nodes.length}) ${v.help}`)).toEqual([]);
}

test("the jig station through a shift: focus, already flashed at the hub scan, supervisor override, blocking refusals, unload all, roles, layouts", async ({
  page,
  dock,
}) => {
  test.skip(dock.central === null, "central/main.ts is not there yet");
  test.skip(dock.rendererIsPlaceholder, "renderer/dist is not built: npx vite build --config renderer/vite.config.ts");
  const token = dock.centralTokens()?.docks["DOCK-N1"] ?? "";
  const imported = await importCentralFirmware({
    centralUrl: dock.centralUrl,
    token,
    centralDataDir: dock.centralDataDir,
    outDir: firmwareDir,
  });
  expect(imported.images).toContain("010A030B-00030000");
  await dock.host.restart();
  await page.setViewportSize(SIZES[1]);
  await page.goto(dock.pageUrl({ token }));
  await setUpScannerAndSignIn(page, { id: "OP-N-SUP", role: "supervisor" });
  await expect(page.getByTestId(`open-${booking.bookingRef}`)).toBeVisible({ timeout: 30_000 });

  // Receive three hubs.
  await page.locator("h1").click();
  await wedgeScan(
    page,
    scanOf(encodeBookingLabel({ bookingRef: booking.bookingRef, deliveryRef: booking.deliveryRef })),
  );
  await expect(page.getByTestId("arrival")).toBeVisible(); // the booking label recorded the arrival
  await page.getByLabel("Dock staff").check();
  await page.getByTestId("start-unloading").click();
  await page.locator("h1").click();
  await wedgeScan(page, scanOf(encodePalletLabel({ sscc: pallet0.sscc, bookingRef: booking.bookingRef })));
  await wedgeScan(page, scanOf(encodeCartonLabel({ sscc: carton0.sscc, hubCount: carton0.hubs.length })));
  for (const [i, hub] of hubs.entries()) {
    await wedgeScan(page, hub.deviceId);
    await expect(page.getByTestId("count-hubs")).toContainText(`Hubs${i + 1}`);
  }
  // The receipt closes accepted before its hubs may go on a jig (the receipt gate of issue 16).
  await page.locator("h1").click();
  await page.keyboard.press("F4");
  await page.getByLabel("Accepted whole").check(); // no default outcome (issue 18)
  await page.getByRole("button", { name: "Close receipt" }).click();
  await expect(page.getByTestId(`open-${booking.bookingRef}`)).toContainText("received (accepted)");

  // Entry: the keyboard is on the hub/slot field, so a stray Enter stays on the jig screen.
  await page.getByTestId("nav-jig").click();
  const entry = page.locator("input[name=jigEntry]");
  await expect(entry).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Jig station" })).toBeVisible();
  await expect(entry).toBeFocused();

  // Load two hubs with wedge scans straight into the field; focus never leaves it.
  await wedgeScan(page, hubs[0]!.deviceId);
  await wedgeScan(page, "JIG-A-1");
  await expect(page.getByTestId("jig-notice")).toContainText(`${hubs[0]!.deviceId} loaded into A1`);
  await wedgeScan(page, hubs[1]!.deviceId);
  await wedgeScan(page, "JIG-A-2");
  await expect(page.getByTestId("jig-notice")).toContainText(`${hubs[1]!.deviceId} loaded into A2`);
  await expect(entry).toBeFocused();
  await expect(page.getByTestId("slot-A1")).toHaveAttribute("data-phase", "flashed", { timeout: 60_000 });
  await expect(page.getByTestId("slot-A2")).toHaveAttribute("data-phase", "flashed", { timeout: 60_000 });

  await expect(page.getByTestId("count-flashed")).toHaveText("Flashed today: 2", { timeout: 30_000 });
  // Unload all takes both out, and the keyboard goes back to the field.
  await page.getByTestId("unload-all").click();
  await expect(page.getByTestId("slot-A1")).toHaveAttribute("data-phase", "empty");
  await expect(page.getByTestId("slot-A2")).toHaveAttribute("data-phase", "empty");
  await expect(entry).toBeFocused();

  // A hub flashed already is refused at its own scan, on the blocking screen, before any slot.
  await wedgeScan(page, hubs[0]!.deviceId);
  const refusal = page.getByTestId("jig-refusal");
  await expect(refusal).toContainText(`Hub ${hubs[0]!.deviceId} was already flashed to 00030000`);
  await expect(refusal).toContainText("Allow a second flash");
  // A scan while the refusal covers the screen is held, not lost, and not taken as read.
  await wedgeScan(page, hubs[2]!.deviceId);
  await expect(page.getByTestId("held-count")).toContainText("1 scan held");
  await page.keyboard.press("Escape");
  await expect(refusal).toHaveCount(0);
  // The held scan ran after the acknowledgement: hub 2 waits for its slot, the stale error is gone.
  await expect(page.getByTestId("jig-notice")).toHaveAttribute("data-tone", "info");
  await expect(page.getByTestId("jig-notice")).toContainText(`Hub ${hubs[2]!.deviceId}`);
  await wedgeScan(page, "JIG-B-1");
  await expect(page.getByTestId("jig-notice")).toContainText(`${hubs[2]!.deviceId} loaded into B1`);

  // The override the message points to is on screen for a supervisor: a reason is required.
  const panel = page.getByTestId("override-panel");
  await expect(panel).toContainText(hubs[0]!.deviceId);
  await page.getByTestId("allow-second-flash").click();
  await expect(panel.getByRole("alert")).toContainText("Give the reason");
  await panel.getByLabel("Reason for a second flash").fill("Customer asked for a re-flash after a field return");
  await page.getByTestId("allow-second-flash").click();
  await expect(page.getByTestId("jig-notice")).toContainText(`Second flash of ${hubs[0]!.deviceId} allowed`);
  await expect(entry).toBeFocused();
  await wedgeScan(page, "JIG-A-3");
  await expect(page.getByTestId("jig-notice")).toContainText(`${hubs[0]!.deviceId} loaded into A3`);
  await expect(page.getByTestId("slot-A3")).toHaveAttribute("data-phase", "flashed", { timeout: 60_000 });

  // The override is an event of its own at central, audited against the hub with the supervisor and the reason.
  const dcc = dock.centralTokens()?.dcc ?? "";
  const central = async (path: string): Promise<unknown> => {
    const res = await fetch(`${dock.centralUrl}${path}`, { headers: { authorization: `Bearer ${dcc}` } });
    return res.json();
  };
  await expect
    .poll(
      async () =>
        (
          (await central(`/hubs/${hubs[0]!.deviceId}/audit`)) as {
            entries: Array<{ source: string; action: string; actor: string }>;
          }
        ).entries
          .filter((e) => e.source === "central" && e.action === "flash.override")
          .map((e) => e.actor),
      { timeout: 30_000 },
    )
    .toEqual(["OP-N-SUP"]);

  // A manual Fault Analysis Report, keyboard only: Tab from the field to "Report a damaged hub", the form
  // opens on the hub field; a blank damage is refused by name and keeps what was typed.
  await expect(entry).toBeFocused();
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  await expect(page.getByTestId("open-fault-report")).toBeFocused();
  await page.keyboard.press("Enter");
  const farForm = page.getByTestId("manual-fault-form");
  await expect(farForm.getByLabel(/Hub ID/)).toBeFocused();
  await page.keyboard.type(hubs[3]!.deviceId);
  await page.keyboard.press("Enter");
  await expect(farForm.getByRole("alert")).toContainText("Say what damage you found");
  await expect(farForm.getByLabel("Damage found")).toBeFocused();
  await expect(farForm.getByLabel(/Hub ID/)).toHaveValue(hubs[3]!.deviceId);
  await page.keyboard.type("Cracked casing, antenna loose");
  await page.keyboard.press("Tab");
  await page.keyboard.type("Dropped while unpacking");
  await page.keyboard.press("Enter");
  await expect(farForm).toHaveCount(0);
  const filed = page.getByTestId("jig-notice");
  await expect(filed).toContainText(`filed for ${hubs[3]!.deviceId}`);
  const reference = /Fault Analysis Report (\S+) filed/.exec((await filed.textContent()) ?? "")?.[1] ?? "";
  expect(reference).toMatch(/^[0-9a-f-]{36}$/);
  await expect(entry).toBeFocused();
  await expect(page.getByTestId(`fault-${hubs[3]!.deviceId}`)).toContainText("Damage: Cracked casing, antenna loose");
  // Dates on the site's clock, en-GB with 24-hour times (day first, never ISO or US order).
  await expect(page.getByTestId(`fault-${hubs[3]!.deviceId}`).locator("td").last()).toHaveText(
    /^\d{2}\/\d{2}\/\d{4}, \d{2}:\d{2}$/,
  );
  // It reaches central and the Party is emailed the report under that reference.
  await expect
    .poll(
      async () =>
        ((await central("/outbox")) as Array<{ kind: string; subject: string }>)
          .filter((m) => m.kind === "fault-analysis-report")
          .map((m) => m.subject),
      { timeout: 30_000 },
    )
    .toContain(`Fault Analysis Report ${reference}: hub ${hubs[3]!.deviceId} (booking ${booking.bookingRef})`);

  // Fill the jigs: 16 more hubs into A4-A8, B2-B8 and C1-C4, so most slots finish together.
  const targets = [
    ...[4, 5, 6, 7, 8].map((n) => `JIG-A-${n}`),
    ...[2, 3, 4, 5, 6, 7, 8].map((n) => `JIG-B-${n}`),
    ...[1, 2, 3, 4].map((n) => `JIG-C-${n}`),
  ];
  for (const [i, target] of targets.entries()) {
    await wedgeScan(page, hubs[4 + i]!.deviceId);
    await wedgeScan(page, target);
    await expect(page.getByTestId("jig-notice")).toContainText(`${hubs[4 + i]!.deviceId} loaded into`);
  }
  await expect(page.getByTestId("unload-all")).toHaveText("Unload all (18)", { timeout: 60_000 });
  // The stale "loaded into C4" went when C4 finished; the list of 18 slots is one line.
  await expect(page.getByTestId("jig-notice")).not.toContainText("loaded into");
  await expect(page.getByTestId("unload-prompt")).toContainText("Take out and unload 18 hubs: A3-A8, B1-B8, C1-C4");
  const promptBox = await page.getByTestId("unload-prompt").boundingBox();
  expect(promptBox!.height, "the unload list holds one line").toBeLessThan(40);

  // All three jigs and the counts on show at every size; nothing clipped; no axe violations.
  await checkLayouts(page, "jig-station", ["jig-counts", "jig-notice", "unload-prompt", "slot-A1", "slot-C8"]);
  await axe(page, "jig station");

  // A receiver is refused in plain words at the first scan.
  await signOut(page);
  await signIn(page, { id: "OP-N-RECV", role: "receiver" });
  await page.getByTestId("nav-jig").click();
  await expect(page.getByTestId("jig-role")).toContainText("Only a technician or a supervisor can load jigs");
  await wedgeScan(page, hubs[1]!.deviceId);
  await expect(page.getByTestId("jig-refusal")).toContainText("Only a technician or a supervisor can load jigs");
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("jig-notice")).not.toHaveAttribute("data-tone", "error");

  // At the DCC desk, the failed hub gets its disposition: returned to its manufacturer, once,
  // and it is on that manufacturer's returns list.
  const accounts = JSON.parse(readFileSync(join(dock.centralDataDir, "desk-accounts.json"), "utf8")) as Array<{
    email: string;
    password: string;
    role: string;
  }>;
  const ops = accounts.find((a) => a.role === "dcc-ops")!;
  const desk = await page.context().newPage();
  await desk.setViewportSize(SIZES[1]);
  await desk.goto(`${dock.centralUrl}/desk/`);
  await desk.getByLabel("Email").fill(ops.email);
  await desk.getByLabel("Password").fill(ops.password);
  await desk.getByRole("button", { name: "Sign in" }).click();
  await desk
    .getByRole("button", { name: "Failed hubs" })
    .or(desk.getByRole("link", { name: "Failed hubs" }))
    .click();
  const failed = desk.getByTestId(`failed-${hubs[3]!.deviceId}`);
  await expect(failed).toContainText("manual report: Cracked casing, antenna loose");
  await failed.getByRole("button", { name: `Record for ${hubs[3]!.deviceId}` }).click();
  await expect(desk.getByRole("alert")).toContainText(`choose what becomes of hub ${hubs[3]!.deviceId} first`);
  await failed.getByLabel(`What becomes of hub ${hubs[3]!.deviceId}`).selectOption("returned-to-manufacturer");
  await failed.getByLabel(`Note for hub ${hubs[3]!.deviceId}`).fill("Under warranty");
  await failed.getByRole("button", { name: `Record for ${hubs[3]!.deviceId}` }).click();
  await expect(desk.getByTestId("disposition-done")).toContainText(
    `Hub ${hubs[3]!.deviceId}: returned to manufacturer.`,
  );
  await expect(failed).toContainText("Returned to manufacturer: Under warranty");
  const returns = desk.getByRole("link", { name: "Returns list for manufacturer AB01 (CSV)" });
  const csv = await desk.request.get(`${dock.centralUrl}${await returns.getAttribute("href")}`);
  expect(csv.status()).toBe(200);
  expect(await csv.text()).toContain(`${hubs[3]!.deviceId},AB01,010A030B,`);
  await desk.screenshot({ path: "test-results/shift/desk-failed-hubs-1366x768.png" });
  await axe(desk, "desk: failed hubs");
  await desk.close();
});
