import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { demoBooking, DEMO_PARTIES } from "../shared/domain/demo-booking";
import { code128Data, encodeCartonLabel, encodePalletLabel } from "../shared/domain/labels";
import { localEvents, openReceiptAndStartUnloading, scanOf, setUpScannerAndSignIn, wedgeScan } from "./dock-actions";
import { expect, test } from "./fixtures";
import { cartonFaceLuma, y4mVideo } from "./label-video";
import { withFakeCamera } from "./chromium";

/**
 * The camera's carton-face mode (renderer/src/scanning/carton-face-camera.tsx, ZXing-C++ in
 * WebAssembly from the renderer's own files) in Chromium, with a fake capture device playing
 * a 1280×720 video of one rendered carton face: the carton's SSCC label across the top and
 * its 32 hubs' Device ID labels below, 4 × 8. The pallet is scanned with the wedge first; the
 * camera then records the carton label and every hub, each once, through the one parser and
 * reconciler, and draws each label's verdict over the video in words.
 */

const booking = demoBooking({ csp: "North", partyId: DEMO_PARTIES[0].id });
const pallet = booking.pallets[0]!;
const carton = pallet.cartons[0]!;
const cartonLabel = encodeCartonLabel({ sscc: carton.sscc });
if (!cartonLabel.ok) throw new Error(cartonLabel.reason);
const hubIds = carton.hubs.map((h) => h.deviceId);

// Written when this file loads, before the browser (and its fake camera) starts. A still
// carton face: the video loops, and every frame shows the same 33 labels.
const size = { width: 1280, height: 720 };
const FPS = 4;
const face = cartonFaceLuma(size, { label: { data: code128Data(cartonLabel), gs1: true }, hubs: hubIds });
const video = join(tmpdir(), `dock-carton-face-${process.pid}.y4m`);
writeFileSync(
  video,
  y4mVideo(
    size,
    FPS,
    Array.from({ length: FPS }, () => face),
  ),
);

test.afterAll(() => rmSync(video, { force: true }));

test.use({
  viewport: { width: 1366, height: 900 },
  launchOptions: withFakeCamera(video),
});

test("the carton-face camera records a carton's label and all 32 of its hubs once each from one face, with each verdict over its label", async ({
  page,
  dock,
}) => {
  test.skip(dock.central === null, "central/main.ts is not there yet");
  test.skip(dock.rendererIsPlaceholder, "renderer/dist is not built: npx vite build --config renderer/vite.config.ts");
  test.setTimeout(180_000);
  const requests: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  const token = dock.centralTokens()?.docks["DOCK-N1"] ?? "";
  await page.goto(dock.pageUrl({ token }));
  await setUpScannerAndSignIn(page, { id: "OP-N-RECV" });
  await expect(page.getByTestId(`open-${booking.bookingRef}`)).toBeVisible({ timeout: 30_000 });
  await openReceiptAndStartUnloading(page, booking);
  await page.locator("h1").click();
  await wedgeScan(page, scanOf(encodePalletLabel({ sscc: pallet.sscc })));
  await expect(page.getByTestId("count-pallets")).toContainText("1");

  // Shift+F7: straight into carton-face mode (F7 would open the one-label reader, which reads one label of the face).
  await page.keyboard.press("Shift+F7");
  const panel = page.getByLabel("camera scanner");
  await expect(panel.getByRole("button", { name: "Carton face" })).toHaveAttribute("aria-pressed", "true");
  await expect(panel).toContainText("every label in view is read", { timeout: 30_000 });
  const summary = panel.getByTestId("face-summary");
  await expect(summary).toHaveText("33 labels in view: 33 accepted.", { timeout: 60_000 });
  await expect(panel.getByTestId("face-mark")).toHaveCount(33);
  await expect(panel.locator('[data-testid="face-mark"][data-verdict="accepted"]')).toHaveCount(33);
  await expect(page.getByTestId("count-hubs")).toContainText("32");
  await page.screenshot({ path: "docs/screenshots/carton-face.png", fullPage: true });

  // Ten more frames of the same face record nothing more: a label in view records once.
  const frames = Number(await panel.locator(".carton-face").getAttribute("data-frames"));
  await expect
    .poll(async () => Number(await panel.locator(".carton-face").getAttribute("data-frames")), { timeout: 60_000 })
    .toBeGreaterThanOrEqual(frames + 10);
  await page.keyboard.press("F7");

  const fromCamera = (await localEvents(page, "scan.recorded")).flatMap((e) =>
    e.type === "scan.recorded" && e.payload.source === "camera" ? [e.payload] : [],
  );
  expect(fromCamera).toHaveLength(33);
  // The carton's label first (its hubs count in it), then the hubs row by row as they sit on the face.
  expect(fromCamera[0]).toMatchObject({
    kind: "carton",
    sscc: carton.sscc,
    raw: cartonLabel.scan,
    verdict: "expected",
  });
  expect(fromCamera.slice(1).map((e) => e.raw)).toEqual(hubIds);
  for (const e of fromCamera.slice(1)) expect(e).toMatchObject({ kind: "hub", verdict: "expected" });
  // The decoder's WebAssembly came from the dock's own origin, never from a CDN.
  const origin = new URL(page.url()).origin;
  expect(requests.filter((u) => u.endsWith(".wasm"))).toEqual([
    expect.stringMatching(new RegExp(`^${origin}/assets/zxing_reader-[\\w-]+\\.wasm$`)),
  ]);
  // Nothing left this machine: every web request went to the dock or to central, both on loopback.
  expect(requests.filter((u) => /^https?:/.test(u) && new URL(u).hostname !== "127.0.0.1")).toEqual([]);
});
