import { signIn, waitForOperators } from "./dock-actions";
import { expect, test } from "./fixtures";

/**
 * The unsent-event alarm (issue 21) end to end: the real renderer in the browser shell with a
 * 3-second threshold (the host's DOCK_UNSENT_ALARM_SECONDS), against a central the page cannot
 * reach once it has pulled its operators. The sign-in's event stays the oldest unsent one, so the alarm shows, on every screen,
 * in words; central comes back, the event leaves the outbox, and the alarm goes.
 */
test.use({ hostEnv: { DOCK_UNSENT_ALARM_SECONDS: "3" } });

test("an alarm on every screen while the oldest unsent event does not move, gone once it reaches central", async ({
  page,
  context,
  dock,
}) => {
  const token = dock.centralTokens()?.docks[dock.dockId];
  let centralReachable = true;
  await context.route(`${dock.centralUrl}/**`, async (route) => {
    if (!centralReachable) return route.abort("internetdisconnected");
    return route.continue().catch(() => undefined);
  });
  await page.goto(dock.pageUrl({ token: token ?? "" }));
  // The dock first pulls its operators (nobody signs in before that), then loses central.
  await waitForOperators(page);
  centralReachable = false;
  await signIn(page, { id: "OP-N-RECV" });

  const alarm = page.getByRole("alert").filter({ hasText: "not reached central" });
  await expect(alarm).toBeVisible({ timeout: 30_000 });
  await expect(alarm).toContainText(/1 event recorded since \d\d:\d\d has not reached central/);
  await expect(alarm).toContainText(/Last contact with central: \d\d:\d\d/);
  await expect(alarm).toContainText("network cable");
  await expect(alarm).toContainText("Nothing is lost");
  await page.screenshot({ path: "docs/screenshots/unsent-alarm.png" });

  // Every screen: the jig station and the scanner set-up keep it on show.
  await page.getByTestId("nav-jig").click();
  await expect(alarm).toBeVisible();
  await page.getByRole("button", { name: "Scanner set-up" }).click();
  await expect(alarm).toBeVisible();

  // Central is back: the next round sends the event, the oldest unsent event has moved, the alarm goes.
  centralReachable = true;
  await expect(page.getByTestId("sync-unsent")).toHaveText("unsent: 0", { timeout: 45_000 });
  await expect(alarm).toHaveCount(0);
});
