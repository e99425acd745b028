import { expect, type Page } from "@playwright/test";
import { encodeBookingLabel } from "../shared/domain/labels";
import type { DockEvent } from "../shared/events";
import type { DockStack } from "./fixtures";
import { DEMO_OPERATORS } from "../central/demo-world";

/** What a person and a scanner do at the dock, shared by the specs. */

/** The scanner-delivered string of an encoded label (the encoders return a result, never throw). */
export function scanOf(label: { ok: true; scan: string } | { ok: false; reason: string }): string {
  if (!label.ok) throw new Error(label.reason);
  return label.scan;
}

/** Types `raw` as a keyboard-wedge scanner does: fast keys, GS as Ctrl+], then Enter. */
export async function wedgeScan(page: Page, raw: string): Promise<void> {
  const parts = raw.split("\x1d");
  for (let i = 0; i < parts.length; i++) {
    if (i > 0) await page.keyboard.press("Control+BracketRight");
    await page.keyboard.type(parts[i] ?? "", { delay: 2 });
  }
  await page.keyboard.press("Enter");
}

/**
 * Sets the wedge reader's gap where an operator would for this "scanner", then signs in.
 * Each Playwright key is a round trip to the browser, and on a busy 2-core CI box a gap can
 * exceed a real scanner's 50 ms (whose keys carry OS timestamps); the buffer resets after
 * every suffix, so a generous gap cannot join two scans.
 */
export async function setUpScannerAndSignIn(page: Page, operator: Operator): Promise<void> {
  await page.getByRole("button", { name: "Scanner set-up" }).click();
  await page.getByLabel("Longest gap between a scanner's keys (ms)").fill("1000");
  await page.getByRole("button", { name: "Back to sign-in" }).click();
  await signIn(page, operator);
}

export interface Operator {
  id: string;
  role?: "receiver" | "technician" | "supervisor";
  /** Defaults to the demo operator's PIN (central/demo-world.ts, printed by npm start). */
  pin?: string;
}

/** The demo PIN of a demo operator. */
export function demoPinOf(id: string): string {
  const o = DEMO_OPERATORS.find((x) => x.id === id);
  if (!o) throw new Error(`${id} is not a demo operator: give its PIN`);
  return o.pin;
}

/** Waits until the dock has pulled its operators from central (before that, nobody can sign in). */
export async function waitForOperators(page: Page): Promise<void> {
  await expect
    .poll(
      () =>
        page.evaluate(
          () =>
            new Promise<boolean>((resolve) => {
              const open = indexedDB.open("reflash-dock");
              // Never create the page's database before the app does (Dexie would then upgrade an empty one).
              open.onupgradeneeded = () => open.transaction?.abort();
              open.onerror = () => resolve(false);
              open.onsuccess = () => {
                const db = open.result;
                if (!db.objectStoreNames.contains("meta")) {
                  db.close();
                  return resolve(false);
                }
                const req = db.transaction("meta").objectStore("meta").get("sync.operatorsSyncedAt");
                req.onsuccess = () => {
                  resolve(req.result !== undefined);
                  db.close();
                };
                req.onerror = () => resolve(false);
              };
            }),
        ),
      { timeout: 30_000 },
    )
    .toBe(true);
}

/** Signs in on the sign-in screen: ID, Enter (as a badge scan ends), PIN, the role when they have several. */
export async function signIn(page: Page, operator: Operator): Promise<void> {
  await waitForOperators(page);
  const id = page.locator("input[name=operatorId]");
  await id.fill(operator.id);
  await id.press("Enter");
  await expect(page.locator("input[name=pin]")).toBeFocused();
  // The screen offers a role only to an operator central gave several.
  const roles: readonly string[] = DEMO_OPERATORS.find((x) => x.id === operator.id)?.roles ?? [];
  if (operator.role !== undefined && roles.length > 1)
    await page.locator("select[name=role]").selectOption(operator.role);
  await page.locator("input[name=pin]").fill(operator.pin ?? demoPinOf(operator.id));
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByTestId("operator").waitFor();
}

/** Signs the operator out (shift change at the dock PC). */
export async function signOut(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.locator("input[name=operatorId]").waitFor();
}

/** The events of one type in the page's own IndexedDB log (what the dock recorded and confirmed). */
export async function localEvents(page: Page, type: string): Promise<DockEvent[]> {
  return page.evaluate(
    (t) =>
      new Promise<DockEvent[]>((resolve, reject) => {
        const open = indexedDB.open("reflash-dock");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const req = db.transaction("events").objectStore("events").getAll();
          req.onsuccess = () => {
            resolve(
              (req.result as Array<{ type: string; event: DockEvent }>).filter((r) => r.type === t).map((r) => r.event),
            );
            db.close();
          };
          req.onerror = () => reject(req.error);
        };
      }),
    type,
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Reads `raws` with the simulated HID-POS scanner at a steady rate, as a person sweeping a
 * pallet does; `onRead(i)` runs after read i (what it awaits delays the next read).
 */
export async function scanAtRate(
  dock: Pick<DockStack, "simulateScan">,
  raws: readonly string[],
  perSecond: number,
  onRead?: (i: number) => void | Promise<void>,
): Promise<void> {
  const start = Date.now();
  for (const [i, raw] of raws.entries()) {
    const due = start + (i * 1000) / perSecond;
    if (due > Date.now()) await sleep(due - Date.now());
    await dock.simulateScan(raw);
    await onRead?.(i);
  }
}

/**
 * On the bookings list: scans the booking label (wedge), which opens its receipt and records
 * the arrival (on time or early; a late one waits for the carrier's ETA), and starts unloading by the dock's own staff (so liability passes to
 * the DCC side on commencement, Annex A 2.5).
 */
export async function openReceiptAndStartUnloading(
  page: Page,
  booking: { bookingRef: string; deliveryRef: string },
): Promise<void> {
  await page.locator("h1").click();
  await wedgeScan(
    page,
    scanOf(encodeBookingLabel({ bookingRef: booking.bookingRef, deliveryRef: booking.deliveryRef })),
  );
  await expect(page.getByTestId("expects")).toBeVisible();
  await expect(page.getByTestId("arrival")).toBeVisible();
  await page.getByLabel("Dock staff").check();
  await page.getByTestId("start-unloading").click();
  await expect(page.getByTestId("liability")).toContainText("passed to the DCC side");
}
