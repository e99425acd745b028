import { statSync } from "node:fs";
import { join } from "node:path";
import { issueEnrolmentCode } from "../central/desk/enrolment";
import { deskDb } from "../central/desk/schema";
import { expect, test } from "./fixtures";

/**
 * A dock's first start (issue 20): the host has no token and no enrolment, so the page asks for
 * central's address and a one-time code from the DCC desk. A wrong code is refused in plain
 * words and nothing is stored; the right one enrols the dock (its token kept owner-only by the
 * host), and the page starts afresh as an enrolled dock.
 */
test.use({ hostEnv: { DOCK_ENROLMENT: "required" } });

test("a dock enrols with a one-time code from the desk; a wrong code is refused and stores nothing", async ({
  page,
  dock,
}) => {
  test.skip(dock.rendererIsPlaceholder, "renderer/dist is not built: npx vite build --config renderer/vite.config.ts");
  const code = await dock.centralDb(async (db) => (await issueEnrolmentCode(deskDb(db), dock.dockId, "e2e")).code);
  await page.goto(dock.pageUrl());
  const form = page.getByRole("form", { name: "enrol this dock" });
  await expect(form.getByRole("heading", { name: "Enrol this dock" })).toBeVisible();
  await expect(form.getByLabel("Central's address")).toHaveValue(dock.centralUrl);
  await expect(form.getByLabel("Dock ID")).toHaveValue(dock.dockId);

  await form.getByLabel("Enrolment code").fill("AAAA-AAAA-AAAA");
  await form.getByRole("button", { name: "Enrol" }).click();
  await expect(form.getByRole("status")).toHaveText(
    `Not enrolled: central refused: that is not dock ${dock.dockId}'s enrolment code.`,
  );
  const bridge = await dock.hostBridge();
  expect(await bridge.invoke("host.info", {})).toMatchObject({ enrolment: "needed", centralToken: null });

  await form.getByLabel("Enrolment code").fill(code.toLowerCase());
  await form.getByRole("button", { name: "Enrol" }).click();
  await expect(form.getByRole("status")).toHaveText(/^Dock DOCK-N1 is enrolled with central \(facility N-DOCK-1\)\.$/);
  // The page starts afresh as an enrolled dock: the operator's sign-in.
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  const info = await bridge.invoke("host.info", {});
  expect(info).toMatchObject({ enrolment: "enrolled", dockId: dock.dockId });
  const pulled = await fetch(`${dock.centralUrl}/sync/pull`, {
    method: "POST",
    headers: { authorization: `Bearer ${String(info.centralToken)}`, "content-type": "application/json" },
    body: JSON.stringify({ cursor: "0" }),
  });
  expect(pulled.status).toBe(200);
  expect(statSync(join(dock.hostDataDir, "enrolment.json")).mode & 0o777).toBe(0o600);

  // After a restart the host reads its stored enrolment: straight to sign-in, no enrolment screen.
  await dock.host.restart();
  await page.goto(dock.pageUrl());
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
});
