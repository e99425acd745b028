import { expect, test } from "./fixtures";

/**
 * The devices panel on the scanner set-up screen: the host's scanners (here the simulated
 * HID-POS scanner of the browser shell) with their state and last read, kept current by
 * the host's `devices.changed` events. USB discovery itself is tested against a fake
 * node-hid (host/usb-devices.test.ts); this checks the panel end to end over the bridge.
 */
test("the devices panel shows the scanner, its state and its last read as it happens", async ({ page, dock }) => {
  test.skip(dock.rendererIsPlaceholder, "renderer/dist is not built: npx vite build --config renderer/vite.config.ts");
  await page.goto(dock.pageUrl());
  await page.getByRole("button", { name: "Scanner set-up" }).click();
  const panel = page.getByTestId("devices-panel");
  const scanner = panel.getByTestId("device-simulated");
  await expect(scanner).toContainText("Scanner: Simulated HID-POS scanner (simulated)");
  await expect(scanner.getByTestId("device-state")).toHaveText("connected");
  await expect(scanner.getByTestId("device-last-read")).toHaveText("–");
  await dock.simulateScan("\x1d0109501234567890");
  await expect(scanner.getByTestId("device-last-read")).toContainText("⟨GS⟩0109501234567890 at ");
  // No jig station on this host: only the scanner is listed.
  await expect(panel.locator("tbody tr")).toHaveCount(1);
  // Where the host's log files are, for support (host/log.ts: <DOCK_DATA_DIR>/logs).
  await expect(panel.getByTestId("support-logs")).toContainText(/For support: logs are in .*logs\./);
});
