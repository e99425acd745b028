/**
 * How the specs launch Chromium: Debian's, never a downloaded browser (no internet but the
 * registries), with the flags that keep a headless run quiet. Shared by playwright.config.ts and
 * the camera specs, which add a fake capture device playing a video of rendered labels.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/** Launch options whose camera is `video` (a .y4m or .mjpeg file), granted without a prompt. */
export function withFakeCamera(video: string): { executablePath: string; args: string[] } {
  return {
    executablePath: CHROMIUM_PATH,
    args: [
      ...CHROMIUM_ARGS,
      "--use-fake-device-for-media-stream",
      "--use-fake-ui-for-media-stream",
      `--use-file-for-fake-video-capture=${video}`,
    ],
  };
}
