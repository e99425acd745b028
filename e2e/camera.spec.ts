import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { demoBooking, DEMO_PARTIES } from "../shared/domain/demo-booking";
import { code128Data, encodeCartonLabel, encodePalletLabel } from "../shared/domain/labels";
import { localEvents, openReceiptAndStartUnloading, setUpScannerAndSignIn } from "./dock-actions";
import { expect, test } from "./fixtures";
import { labelLuma, y4mVideo, type BarcodeSpec } from "./label-video";
import { withFakeCamera } from "./chromium";

/**
 * The camera scanner (renderer/src/components/camera-panel.tsx, @zxing/library) in Chromium
 * with a fake capture device playing a video of rendered labels: empty frames, then the
 * pallet's SSCC label (GS1-128), the first carton's SSCC label, and a hub's Device ID
 * (Code 128). Each read goes through the same parser and reconciler as a scanner's and is
 * recorded with source "camera"; the empty frames read nothing and record nothing.
 */

const booking = demoBooking({ csp: "North", partyId: DEMO_PARTIES[0].id });
const pallet = booking.pallets[0]!;
const carton = pallet.cartons[0]!;
const hub = carton.hubs[0]!;
const palletLabel = encodePalletLabel({ sscc: pallet.sscc });
const cartonLabel = encodeCartonLabel({ sscc: carton.sscc });
if (!palletLabel.ok || !cartonLabel.ok) throw new Error("demo labels do not encode");

// The video is written when this file loads, before the browser (and its fake camera) starts.
const size = { width: 640, height: 360 };
const FPS = 4;
const shown = (spec: BarcodeSpec | null, seconds: number) =>
  Array.from({ length: Math.round(seconds * FPS) }, () => labelLuma(size, spec, 2));
const video = join(tmpdir(), `dock-camera-labels-${process.pid}.y4m`);
writeFileSync(
  video,
  y4mVideo(size, FPS, [
    ...shown(null, 1),
    // Each label a little less than the panel's 2 s between two reads of the same code, as a hand moving on would.
    ...shown({ data: code128Data(palletLabel), gs1: true }, 1.5),
    ...shown(null, 1),
    ...shown({ data: code128Data(cartonLabel), gs1: true }, 1.5),
    ...shown(null, 1),
    ...shown({ data: hub.deviceId, gs1: false }, 1.5),
    ...shown(null, 4),
  ]),
);

test.afterAll(() => rmSync(video, { force: true }));

test.use({
  launchOptions: withFakeCamera(video),
});

test("the camera reads a pallet SSCC, a carton SSCC and a hub ID off rendered labels, through the one parser, and records them", async ({
  page,
  dock,
}) => {
  test.skip(dock.central === null, "central/main.ts is not there yet");
  test.skip(dock.rendererIsPlaceholder, "renderer/dist is not built: npx vite build --config renderer/vite.config.ts");
  test.setTimeout(180_000);
  const token = dock.centralTokens()?.docks["DOCK-N1"] ?? "";
  await page.goto(dock.pageUrl({ token }));
  await setUpScannerAndSignIn(page, { id: "OP-N-RECV" });
  await expect(page.getByTestId(`open-${booking.bookingRef}`)).toBeVisible({ timeout: 30_000 });
  await openReceiptAndStartUnloading(page, booking);

  await page.locator("h1").click();
  await page.keyboard.press("F7");
  await expect(page.getByLabel("camera scanner")).toContainText("Hold a label in front of the camera.", {
    timeout: 30_000,
  });

  const fromCamera = async () =>
    (await localEvents(page, "scan.recorded")).flatMap((e) =>
      e.type === "scan.recorded" && e.payload.source === "camera" ? [e.payload] : [],
    );
  await expect.poll(async () => (await fromCamera()).length, { timeout: 60_000 }).toBeGreaterThanOrEqual(3);
  await page.keyboard.press("F7");
  // The first read of each code, in the order the video shows them (the video loops, so later reads repeat them).
  const firsts = (await fromCamera()).filter((e, i, all) => all.findIndex((o) => o.raw === e.raw) === i);
  const [first, second, third] = firsts;
  expect(first).toMatchObject({
    kind: "pallet",
    sscc: pallet.sscc,
    raw: palletLabel.scan,
    verdict: "expected",
    bookingRef: booking.bookingRef,
  });
  expect(second).toMatchObject({ kind: "carton", sscc: carton.sscc, raw: cartonLabel.scan, verdict: "expected" });
  expect(third).toMatchObject({ kind: "hub", deviceId: hub.deviceId, raw: hub.deviceId, verdict: "expected" });
  // The empty frames read nothing: every camera read is one of the three labels.
  expect(new Set((await fromCamera()).map((e) => e.raw))).toEqual(
    new Set([palletLabel.scan, cartonLabel.scan, hub.deviceId]),
  );
  // The hub counts on screen as received, as a scanner's read would.
  await expect(page.getByTestId("count-hubs")).toContainText("1");
});
