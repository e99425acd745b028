import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { connectProbe, probeEvents, probeInvoke } from "./bridge-probe";
import { expect, test } from "./fixtures";

// Smoke test of the browser shell: the page comes through the host, the bridge connects
// from inside Chromium, and the simulated HID-POS scanner's reads arrive as events.
// Central is not needed here except in the last test, which checks the fixture's central.
test.use({ withCentral: false });

test("the page loads through the host and the bridge answers host.info", async ({ page, dock }) => {
  const response = await page.goto(dock.hostUrl);
  expect(response?.status()).toBe(200);
  // The launch token was traded for a cookie and dropped from the address bar.
  expect(page.url()).toBe(`${dock.hostOrigin}/`);
  await expect(page.locator('meta[name="dock-bridge-secret"]')).toHaveAttribute("content", /^[0-9a-f]{64}$/);
  await connectProbe(page);
  const info = await probeInvoke(page, "host.info", {});
  expect(info).toMatchObject({ shell: "browser", simulated: true, dockId: dock.dockId, centralUrl: dock.centralUrl });
});

test("the built renderer connects its own bridge (window.dock)", async ({ page, dock }) => {
  test.skip(dock.rendererIsPlaceholder, "renderer/dist is not built");
  await page.goto(dock.hostUrl);
  await page.waitForFunction(() => (window as unknown as { dock?: unknown }).dock !== undefined);
  const info = await page.evaluate(() =>
    (window as unknown as { dock: { invoke(c: string, a: unknown): Promise<{ shell: string }> } }).dock.invoke(
      "host.info",
      {},
    ),
  );
  expect(info.shell).toBe("browser");
});

test("a simulated HID-POS scan arrives in the page as a scanner.scan event", async ({ page, dock }) => {
  await page.goto(dock.hostUrl);
  await connectProbe(page);
  await probeInvoke(page, "scanner.simulate", { raw: "88-73-84-57-00-2F-96-1E", symbology: "]C0" });
  // A scan made from outside the page (the spec's own bridge client) reaches the page too.
  await dock.simulateScan("00-DB-12-34-56-78-9A-BC");
  await expect
    .poll(async () => (await probeEvents(page, "scanner.scan")).map((s) => s.raw))
    .toEqual(["88-73-84-57-00-2F-96-1E", "00-DB-12-34-56-78-9A-BC"]);
  const [first] = await probeEvents(page, "scanner.scan");
  expect(first).toMatchObject({ source: "hid-pos", symbology: "]C0", scannerId: "simulated" });
});

test("after a reload the page reconnects with the same launch", async ({ page, dock }) => {
  await page.goto(dock.hostUrl);
  await page.reload();
  await connectProbe(page);
  expect((await probeInvoke(page, "host.info", {})).shell).toBe("browser");
});

test("a page of another origin cannot open the bridge", async ({ page, dock }) => {
  // Another local web server's page (loopback, another port): the browser even sends it
  // the launch cookie (cookies ignore ports), so it is the Origin check that must refuse it.
  await page.goto(dock.hostUrl);
  const server = createServer((_req, res) => res.end("<html><body>other</body></html>"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const other = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    await page.goto(`${other}/`);
    const outcome = await page.evaluate(
      (wsUrl) =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(wsUrl);
          ws.onopen = () => resolve("open");
          ws.onclose = (ev) => resolve(`closed ${ev.code}`);
        }),
      `${dock.hostOrigin.replace("http", "ws")}/bridge`,
    );
    expect(outcome).toBe("closed 1006");
    // …and it was the host's Origin check that refused it (the host logs each refusal).
    await expect.poll(() => dock.host.output()).toContain(`bridge: refused a connection from origin ${other}`);
  } finally {
    server.close();
  }
});

test.describe("with central", () => {
  test.use({ withCentral: true });

  test("the fixture starts a seeded central the host points at", async ({ page, dock }) => {
    test.skip(dock.central === null, "central/main.ts does not exist yet");
    const health = await fetch(`${dock.centralUrl}/health`);
    expect(health.status).toBe(200);
    expect(dock.centralTokens()?.docks[dock.dockId]).toMatch(/.+/);
    await page.goto(dock.pageUrl());
    await connectProbe(page);
    expect(await probeInvoke(page, "host.info", {})).toMatchObject({
      centralUrl: dock.centralUrl,
      dockId: "DOCK-N1",
      site: { facilityId: "N-DOCK-1", csp: "North" },
    });
  });
});
