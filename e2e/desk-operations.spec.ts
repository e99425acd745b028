import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { test as base, expect, type Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { demoBooking, DEMO_PARTIES } from "../shared/domain/demo-booking";
import { AsnBlockResponseSchema, PushResponseSchema } from "../shared/sync";
import { serviceReportDemoBatches } from "../central/demo-report-events";
import { freePort, startService, waitForHttp, type ServiceProcess } from "./service-process";

/**
 * The DCC desk's operations pages on the seeded demo world (as `npm start` leaves it): the demo
 * dock pushes a few days of real work (receipt, 160 flashes with one bad slot, faults, a
 * dispatch) through /sync/push, then DCC operations staff open the service report and the
 * other pages of this spec. axe (WCAG 2.1 A/AA) on each page; screenshots at 1366×768 in
 * test-results/desk-operations/.
 */

const repoRoot = resolve(fileURLToPath(new URL("..", import.meta.url)));
const shots = join(repoRoot, "test-results", "desk-operations");
const HOUR = 3_600_000;

interface Central {
  url: string;
  dataDir: string;
  accounts: Array<{ email: string; password: string; role: string; partyId: string | null }>;
  tokens: { dcc: string; docks: Record<string, string> };
}

async function runToExit(script: string, env: Record<string, string>): Promise<void> {
  const p = await startService({
    name: script,
    script,
    cwd: repoRoot,
    env,
    ready: (_o, child) =>
      new Promise((ok, fail) => {
        const done = (code: number | null) => (code === 0 ? ok() : fail(new Error(`${script} exited with ${code}`)));
        if (child.exitCode !== null) return done(child.exitCode);
        child.once("exit", done);
      }),
  });
  await p.stop();
}

const test = base.extend<{ central: Central }>({
  central: async ({}, use) => {
    const dataDir = await mkdtemp(join(tmpdir(), "desk-ops-e2e-central-"));
    const port = await freePort();
    const env = { CENTRAL_PORT: String(port), CENTRAL_HOST: "127.0.0.1", CENTRAL_DATA_DIR: dataDir };
    await runToExit("central/seed.ts", env);
    let proc: ServiceProcess | null = null;
    try {
      proc = await startService({
        name: "central",
        script: "central/main.ts",
        cwd: repoRoot,
        env,
        ready: (_o, child) => waitForHttp(`http://127.0.0.1:${port}/health`, () => child.exitCode === null),
      });
      const accounts = JSON.parse(await readFile(join(dataDir, "desk-accounts.json"), "utf8")) as Central["accounts"];
      const tokens = JSON.parse(await readFile(join(dataDir, "tokens.json"), "utf8")) as Central["tokens"];
      await use({ url: `http://127.0.0.1:${port}`, dataDir, accounts, tokens });
    } finally {
      await proc?.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  },
});

test.use({ viewport: { width: 1366, height: 768 } });

async function checkPage(page: Page, name: string, fullPage = false): Promise<void> {
  await mkdir(shots, { recursive: true });
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage });
  const axe = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  expect(
    axe.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`),
    `axe on ${name}`,
  ).toEqual([]);
}

async function signIn(page: Page, central: Central, role: string, nav = "Desk sections"): Promise<void> {
  const a = central.accounts.find((x) => x.role === role);
  if (!a) throw new Error(`no demo account with role ${role}`);
  await page.goto(`${central.url}/desk/`);
  await page.getByLabel("Email").fill(a.email);
  await page.getByLabel("Password").fill(a.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("navigation", { name: nav })).toBeVisible();
}

/** The seeded demo booking (shared/domain/demo-booking is deterministic, as the seed uses it). */
function seededBooking() {
  const party = DEMO_PARTIES[0];
  return { booking: demoBooking({ csp: "North", partyId: party.id }), partyName: party.name };
}

async function pushEvents(central: Central, events: unknown[]): Promise<void> {
  const res = await fetch(`${central.url}/sync/push`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${central.tokens.docks["DOCK-N1"]}` },
    body: JSON.stringify({ events }),
  });
  expect(res.status).toBe(200);
  const out = PushResponseSchema.parse(await res.json());
  expect(out.results.filter((r) => r.status === "rejected")).toEqual([]);
}

/** The demo dock's few days of work; returns the shipment to push once the SMI updates are sent (Req 10). */
async function pushDemoWork(central: Central, day0: Date): Promise<() => Promise<void>> {
  const { booking, partyName } = seededBooking();
  const demo = await serviceReportDemoBatches(booking, partyName, day0);
  for (const events of demo.work) await pushEvents(central, events);
  return async () => {
    // The ASN number comes from central only, reserved for the dock by its supervisor.
    const res = await fetch(`${central.url}/sync/asn-numbers`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${central.tokens.docks["DOCK-N1"]}`,
        "x-operator-id": "OP-N-SUP",
      },
      body: JSON.stringify({ count: 1 }),
    });
    expect(res.status).toBe(201);
    const [asnNumber] = AsnBlockResponseSchema.parse(await res.json()).asnNumbers;
    await pushEvents(central, await demo.shipment(asnNumber ?? ""));
  };
}

test("the service report: counts, turnaround and a flagged slot in charts with tables, a period filter and CSV", async ({
  page,
  central,
}) => {
  test.setTimeout(120_000);
  const today = new Date().toISOString().slice(0, 10);
  const day0 = new Date(Date.parse(`${today}T00:00:00.000Z`) - 4 * 24 * HOUR);
  const shipDemo = await pushDemoWork(central, day0);

  await signIn(page, central, "dcc-ops");
  // Req 10: the SMI learns the new firmware before the hubs are dispatched.
  await page.getByRole("link", { name: "SMI updates" }).click();
  await page.getByRole("button", { name: /Send CSPM-N3 for 141 hubs/ }).click();
  await expect(page.getByRole("status").filter({ hasText: "waiting for the SMI update" })).toContainText(
    "0 hubs waiting",
  );
  await shipDemo();
  await page.getByRole("link", { name: "Service report" }).click();
  await expect(page.getByRole("heading", { name: "Service report", exact: true })).toBeVisible();
  const status = page.getByRole("status").filter({ hasText: "hubs received" });
  await expect(status).toContainText("162 hubs received, 141 re-flashed, 12 failed; 1 slot flagged");
  await expect(page.getByRole("img", { name: /Hubs received, re-flashed and failed/ })).toBeVisible();
  await expect(page.getByRole("img", { name: /Turnaround from arrival to re-delivery/ })).toBeVisible();
  await expect(page.getByRole("img", { name: /Yield by day, per jig/ })).toBeVisible();
  await expect(page.getByRole("img", { name: /Failure rate by slot, JIG-N-1/ })).toBeVisible();
  await expect(page.getByRole("note")).toContainText("JIG-N-1 slot 3 (N-DOCK-1): 12 of 20 failed (60.0 %)");
  const sites = page.getByRole("table", { name: /Sites and Parties/ });
  await expect(sites.getByRole("row").nth(1)).toContainText("N-DOCK-1SUPPLIER-A162141124050.0 h50.0 h");
  await checkPage(page, "01-service-report");
  await page.getByRole("img", { name: /Failure rate by slot/ }).scrollIntoViewIfNeeded();
  await checkPage(page, "02-service-report-slots");

  // The table behind a chart, for those who cannot see it.
  const slotsFigure = page.getByRole("figure", { name: /Failure rate by slot/ });
  await slotsFigure.getByText("Table of this chart").click();
  await expect(slotsFigure.getByRole("row", { name: /Slot 3/ })).toContainText("60 % (flagged)");
  await checkPage(page, "03-service-report-table");

  // CSV download, through the page's own link.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "slots" }).click(),
  ]);
  const csv = await readFile((await download.path()) ?? "", "utf8");
  expect(csv.replace(/^\uFEFF/, "").split("\r\n")[0]).toBe(
    "Facility,Jig,Slot,Attempts,Failures,Failure rate %,Other slots' rate %,p-value,Flagged",
  );
  expect(csv).toMatch(/N-DOCK-1,JIG-N-1,3,20,12,60\.0,5\.0,[^,]+,yes/);

  // A period before the work: nothing; a reversed period: refused with a reason.
  await page.getByLabel("From", { exact: true }).fill("2020-01-01");
  await page.getByLabel("To", { exact: true }).fill("2020-01-31");
  await page.getByRole("button", { name: "Show report" }).click();
  await expect(page.getByText("No flash attempts in this period.")).toBeVisible();
  await page.getByLabel("From", { exact: true }).fill("2020-02-01");
  await page.getByRole("button", { name: "Show report" }).click();
  await expect(page.getByRole("alert")).toContainText("from 2020-02-01 is after to 2020-01-31");
});

test("the firmware catalogue: an image uploaded, hashed and signed at central, published to docks, then withdrawn", async ({
  page,
  central,
}) => {
  test.setTimeout(120_000);
  const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31 + 7) % 256));
  const sha = createHash("sha256").update(bytes).digest("hex");
  const dockCatalogue = async () => {
    const res = await fetch(`${central.url}/firmware`, {
      headers: { authorization: `Bearer ${central.tokens.docks["DOCK-N1"]}` },
    });
    return (await res.json()) as Array<{ deviceModel: string; version: string; status: string; sha256: string }>;
  };

  await signIn(page, central, "dcc-admin");
  await page.getByRole("link", { name: "Firmware" }).click();
  await expect(page.getByRole("heading", { name: "Firmware catalogue" })).toBeVisible();
  await expect(page.getByRole("table", { name: /Catalogue/ })).toContainText("00030000");
  await checkPage(page, "04-firmware");

  // A malformed version is refused with the field named, nothing stored.
  await page.getByLabel("Device Model").fill("010A030B");
  await page.getByLabel("Firmware version").fill("4.0");
  await page
    .getByLabel("Image file")
    .setInputFiles({ name: "hub-r4.bin", mimeType: "application/octet-stream", buffer: bytes });
  await page.getByRole("button", { name: "Upload" }).click();
  await expect(page.getByRole("alert")).toContainText("version");

  await page.getByLabel("Firmware version").fill("00040000");
  await page.getByRole("button", { name: "Upload" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Uploaded 00040000" })).toContainText(sha);
  await expect(page.getByRole("table", { name: /not yet published/ })).toContainText("hub-r4.bin");
  expect((await dockCatalogue()).some((e) => e.version === "00040000")).toBe(false);
  await checkPage(page, "05-firmware-uploaded");

  await page.getByRole("button", { name: "Publish 00040000" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Published 00040000" })).toBeVisible();
  const catalogue = page.getByRole("table", { name: /Catalogue/ });
  await expect(catalogue.getByRole("row", { name: /00040000/ })).toContainText("Production");
  expect((await dockCatalogue()).find((e) => e.version === "00040000")).toMatchObject({
    status: "production",
    sha256: sha,
  });

  page.once("dialog", (d) => void d.accept());
  await page.getByRole("button", { name: "Withdraw 00040000" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Withdrew 00040000" })).toBeVisible();
  await expect(catalogue.getByRole("row", { name: /00040000/ })).toContainText("Withdrawn");
  expect((await dockCatalogue()).find((e) => e.version === "00040000")?.status).toBe("withdrawn");
  const image = await fetch(`${central.url}/firmware/010A030B/00040000/image`, {
    headers: { authorization: `Bearer ${central.tokens.docks["DOCK-N1"]}` },
  });
  expect(image.status).toBe(409);
  await checkPage(page, "06-firmware-withdrawn");
});

test("SMI updates: the SSMI file downloaded, sent back with bad rows (each shown with its line), then good; CSPM-N3 for the rest", async ({
  page,
  central,
}) => {
  test.setTimeout(120_000);
  const today = new Date().toISOString().slice(0, 10);
  await pushDemoWork(central, new Date(Date.parse(`${today}T00:00:00.000Z`) - 4 * 24 * HOUR));
  await signIn(page, central, "dcc-ops");
  await page.getByRole("link", { name: "SMI updates" }).click();
  const status = page.getByRole("status").filter({ hasText: "waiting for the SMI update" });
  await expect(status).toContainText("141 hubs waiting for the SMI update; 0 sent as CSPM-N3, 0 applied");
  await checkPage(page, "07-smi-updates");

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download the SSMI file" }).click(),
  ]);
  const lines = (await readFile((await download.path()) ?? "", "utf8"))
    .replace(/^\uFEFF/, "")
    .trim()
    .split(/\r?\n/);
  expect(lines[0]).toBe("DeviceID,FirmwareVersion");
  expect(lines).toHaveLength(142);

  // The SMI's file back, with a typo, an unknown hub and a duplicate: nothing applied, each row named.
  const bad = [lines[0], lines[1], "00-00-00-00-00-00-00-09,00030000", `${lines[2]},x`, lines[1]].join("\r\n");
  const input = page.getByLabel("SSMI file from the SMI");
  await input.setInputFiles({ name: "ssmi-back.csv", mimeType: "text/csv", buffer: Buffer.from(bad) });
  await page.getByRole("button", { name: "Upload the SSMI file" }).click();
  const alert = page.getByRole("alert");
  await expect(alert).toContainText("3 row(s) refused; nothing was applied");
  const problems = alert.getByRole("table");
  await expect(problems.getByRole("row").nth(1)).toContainText("3");
  await expect(problems.getByRole("row").nth(1)).toContainText("not in the Smart Metering Inventory");
  await expect(problems.getByRole("row").nth(2)).toContainText("expected 2 columns, got 3");
  await expect(problems.getByRole("row").nth(3)).toContainText("listed twice");
  await expect(status).toContainText("141 hubs waiting");
  await checkPage(page, "08-smi-bad-rows");

  await input.setInputFiles({
    name: "ssmi-back.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(lines.slice(0, 21).join("\r\n")),
  });
  await page.getByRole("button", { name: "Upload the SSMI file" }).click();
  await expect(page.getByText("Applied ssmi-back.csv: 20 hubs updated in the SMI mirror.")).toBeVisible();
  await expect(status).toContainText("121 hubs waiting for the SMI update; 0 sent as CSPM-N3, 20 applied");

  await page.getByRole("button", { name: "Send CSPM-N3 for 121 hubs" }).click();
  await expect(page.getByText("Sent 121 CSPM-N3 messages.")).toBeVisible();
  await expect(status).toContainText("0 hubs waiting for the SMI update; 121 sent as CSPM-N3, 20 applied");
  await checkPage(page, "09-smi-sent");
});

test("business configuration and DCC contact details: checked field by field, saved, audited, in effect for the Party at once", async ({
  page,
  central,
}) => {
  test.setTimeout(120_000);
  await signIn(page, central, "dcc-admin");
  await page.getByRole("link", { name: "Business settings" }).click();
  await expect(page.getByRole("heading", { name: "Business configuration and DCC contact details" })).toBeVisible();
  await expect(page.getByLabel("Hubs per carton")).toHaveValue("32");
  await checkPage(page, "10-settings");

  // Contact details: a bad phone is refused with the field named; a good one is saved.
  await page.getByLabel("Contact phone").fill("ring us");
  await page.getByRole("button", { name: "Save contact details" }).click();
  await expect(page.getByRole("alert")).toContainText("phone");
  await page.getByLabel("Contact name").fill("Re-Flash Bookings Team");
  await page.getByLabel("Contact phone").fill("+44 20 7946 0000");
  await page.getByRole("button", { name: "Save contact details" }).click();
  await expect(page.getByText("Contact details saved; the next authorisation carries them.")).toBeVisible();

  // Business settings: overlapping slots and a malformed charge are each named; nothing is sent.
  const slots = page.getByLabel("Delivery slots (one HH:MM-HH:MM a line)");
  await slots.fill("08:00-10:00\n09:00-11:00");
  await page.getByLabel("Explicit Charge per re-flashed hub (GBP)").fill("£7");
  await page.getByRole("button", { name: "Save business configuration" }).click();
  const alert = page.getByRole("alert");
  await expect(alert).toContainText("charges explicit charge per reflashed hub");
  await page.getByLabel("Explicit Charge per re-flashed hub (GBP)").fill("7.95");
  await page.getByRole("button", { name: "Save business configuration" }).click();
  await expect(alert).toContainText("09:00-11:00 overlaps 08:00-10:00");
  await checkPage(page, "11-settings-refused");
  await slots.fill("09:00-11:00\n13:00-16:00");
  await page.getByRole("button", { name: "Save business configuration" }).click();
  await expect(page.getByText("Business configuration saved; it applies from the next request.")).toBeVisible();
  await expect(page.getByText(/Last changed by admin@dcc\.example/).first()).toBeVisible();

  // The audit shows both changes; the Party's portal offers the new slots at once.
  await page.getByRole("link", { name: "Audit" }).click();
  await expect(page.getByRole("cell", { name: "settings.business-changed" })).toBeVisible();
  await expect(page.getByRole("cell", { name: "settings.contact-changed" })).toBeVisible();
  await page.getByRole("button", { name: "Sign out" }).click();
  await signInParty(page, central);
  const res = await page.request.get(`${central.url}/desk/api/portal/options`);
  expect(((await res.json()) as { slots: unknown }).slots).toEqual([
    { start: "09:00", end: "11:00" },
    { start: "13:00", end: "16:00" },
  ]);
});

async function signInParty(page: Page, central: Central): Promise<void> {
  const a = central.accounts.find((x) => x.role === "party-user" && x.partyId === "SUPPLIER-A");
  if (!a) throw new Error("no demo Party account");
  await page.goto(`${central.url}/desk/`);
  await page.getByLabel("Email").fill(a.email);
  await page.getByLabel("Password").fill(a.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("navigation", { name: "Portal sections" })).toBeVisible();
}

test("bookings with the label PDF and the receipt's outcome, every Party's forecasts and a Party's statement", async ({
  page,
  central,
}) => {
  test.setTimeout(120_000);
  const today = new Date().toISOString().slice(0, 10);
  await pushDemoWork(central, new Date(Date.parse(`${today}T00:00:00.000Z`) - 4 * 24 * HOUR));
  const { booking, partyName } = seededBooking();

  // A Party sends its six-monthly forecast (D-001) in its portal.
  await signIn(page, central, "party-user", "Portal sections");
  await page.goto(`${central.url}/desk/portal/forecast`);
  const period = await page.getByLabel("Period").inputValue();
  await page.getByLabel("Hubs expected").fill("1500");
  await page.getByRole("button", { name: "Send forecast" }).click();
  await expect(page.getByText("Forecast sent.")).toBeVisible();
  await page.getByRole("button", { name: "Sign out" }).click();

  await signIn(page, central, "dcc-ops");
  await page.getByRole("link", { name: "Bookings", exact: true }).click();
  const row = page.getByRole("row", { name: new RegExp(booking.bookingRef) });
  await expect(row).toContainText(partyName);
  await expect(row).toContainText("closed");
  await expect(row).toContainText(/accepted in part: 162 of \d+ received/);
  await row.getByText(/accepted in part/).click();
  await expect(row).toContainText("Rejected: 2");
  await expect(row).toContainText("seal broken");
  await expect(row).toContainText("Unexpected: 0");
  await checkPage(page, "05-bookings");
  // The filters ask central again: no cancelled booking, the closed one under "closed".
  await page.getByLabel("Status").selectOption("cancelled");
  await expect(page.getByRole("table").getByText("0 bookings")).toBeVisible();
  await page.getByLabel("Status").selectOption("closed");
  await expect(row).toBeVisible();
  // The printable label: the same PDF the Party's acceptance email carries.
  const href = await row.getByRole("link", { name: /Label PDF/ }).getAttribute("href");
  const pdf = await page.request.get(`${central.url}${href ?? ""}`);
  expect(pdf.status()).toBe(200);
  expect(pdf.headers()["content-type"]).toBe("application/pdf");
  expect((await pdf.body()).subarray(0, 5).toString()).toBe("%PDF-");

  await page.getByRole("link", { name: "Forecasts", exact: true }).click();
  const forecast = page.getByRole("row", { name: new RegExp(`^${period}`) });
  await expect(forecast).toContainText("1500");
  await checkPage(page, "06-forecasts");

  await page.getByRole("link", { name: "Statements", exact: true }).click();
  await page.getByLabel("Party", { exact: true }).selectOption({ label: partyName });
  await page.getByLabel("From", { exact: true }).fill("2020-01-01");
  await page.getByLabel("To", { exact: true }).fill(today);
  await page.getByRole("button", { name: "Show statement" }).click();
  await expect(page.getByRole("heading", { name: `${partyName}, 2020-01-01 to ${today}` })).toBeVisible();
  await expect(page.getByRole("table", { name: "Charges and credits" })).toBeVisible();
  await checkPage(page, "07-statement");
  await page.getByLabel("From", { exact: true }).fill("2099-01-01");
  await page.getByRole("button", { name: "Show statement" }).click();
  await expect(page.getByRole("alert")).toContainText(`from 2099-01-01 is after to ${today}`);
});
