import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { spawn } from "node:child_process";
import { test as base, expect, type Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import ExcelJS from "exceljs";
import { PullResponseSchema } from "../shared/sync";
import { withCheckDigit } from "../shared/domain/demo-booking";
import { EXAMPLE_WORKING_HOURS } from "../shared/domain/working-hours";
import { addDays, dayOfWeek } from "../central/services/working-time";
import { freePort, startService, waitForHttp, type ServiceProcess } from "./service-process";

/**
 * The DCC desk from an EMPTY database (no seed): the setup command prints a one-time link; the
 * first admin opens it, then sets up a Party with a re-delivery location, a facility, a dock
 * (and its token), an operator and a Party user, and imports an SMI inventory CSV. The Party's
 * user downloads the template, fills it as XLSX, uploads it, sees the rejected row, fixes it
 * and submits; the dock pulls the booking with the token the desk showed, then enrols with its
 * one-time code and pulls it with the token it got. Every page passes axe and is
 * photographed at 1366×768 (test-results/desk/).
 */

const repoRoot = resolve(fileURLToPath(new URL("..", import.meta.url)));
const shots = join(repoRoot, "test-results", "desk");

interface Central {
  url: string;
  dataDir: string;
  process: ServiceProcess;
}

const test = base.extend<{ central: Central }>({
  central: async ({}, use) => {
    const dataDir = await mkdtemp(join(tmpdir(), "desk-e2e-central-"));
    const port = await freePort();
    const env = { CENTRAL_PORT: String(port), CENTRAL_HOST: "127.0.0.1", CENTRAL_DATA_DIR: dataDir };
    const process_ = await startService({
      name: "central",
      script: "central/main.ts",
      cwd: repoRoot,
      env,
      ready: (_o, child) => waitForHttp(`http://127.0.0.1:${port}/health`, () => child.exitCode === null),
    });
    try {
      await use({ url: `http://127.0.0.1:${port}`, dataDir, process: process_ });
    } finally {
      await process_.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  },
});

test.use({ viewport: { width: 1366, height: 768 } });

/** Runs the setup command (PGlite belongs to one process: central is stopped around it) and returns the link it printed. */
async function setupLink(central: Central): Promise<string> {
  await central.process.stop();
  const out = await new Promise<string>((done, fail) => {
    const child = spawn(process.execPath, ["--import", "tsx", "central/desk-setup.ts"], {
      cwd: repoRoot,
      env: {
        ...process.env,
        CENTRAL_DATA_DIR: central.dataDir,
        CENTRAL_PORT: new URL(central.url).port,
        CENTRAL_HOST: "127.0.0.1",
      },
    });
    let text = "";
    child.stdout.on("data", (d: Buffer) => (text += d.toString()));
    child.stderr.on("data", (d: Buffer) => (text += d.toString()));
    child.once("exit", (code) => (code === 0 ? done(text) : fail(new Error(`desk-setup exited ${code}: ${text}`))));
  });
  await central.process.restart();
  const m = /DESK_SETUP_LINK (\S+)/.exec(out);
  if (!m?.[1]) throw new Error(`no setup link in: ${out}`);
  return m[1];
}

async function checkPage(page: Page, name: string): Promise<void> {
  await mkdir(shots, { recursive: true });
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: false });
  const axe = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  expect(
    axe.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`),
    `axe on ${name}`,
  ).toEqual([]);
}

function aMonday(from = addDays(new Date().toISOString().slice(0, 10), 14)): string {
  let d = from;
  while (dayOfWeek(d) !== 1 || EXAMPLE_WORKING_HOURS.bankHolidays.includes(d)) d = addDays(d, 1);
  return d;
}

const hub = (n: number) => `00-E2-E0-00-00-00-00-${n.toString(16).toUpperCase().padStart(2, "0")}`;

test("the first admin sets the desk up from an empty database; a Party's user requests a re-flash with the XLSX template", async ({
  page,
  central,
}) => {
  test.setTimeout(180_000);
  const link = await setupLink(central);
  expect(link.startsWith(`${central.url}/desk/setup#token=`)).toBe(true);

  // --- the first admin
  await page.goto(link);
  await expect(page.getByRole("heading", { name: /first DCC admin/ })).toBeVisible();
  expect(page.url()).not.toContain("token=");
  await checkPage(page, "01-setup");
  await page.getByLabel("Your name").fill("Ada Admin");
  await page.getByLabel("Email").fill("ada@dcc.example");
  await page.getByLabel("Password", { exact: true }).fill("ada's long password");
  await page.getByLabel("Password again").fill("ada's long password");
  await page.getByRole("button", { name: "Create the admin and sign in" }).click();
  await expect(page.getByRole("heading", { name: "Parties and their re-delivery locations" })).toBeVisible();

  // --- a Party and its re-delivery location
  await page.getByLabel("Party ID").fill("SUPPLIER-X");
  await page.getByLabel("Party name").fill("Supplier X Energy");
  await page.getByLabel("Email for notices").fill("returns@supplier-x.example");
  await page.getByRole("button", { name: "Add Party" }).click();
  await expect(page.getByRole("cell", { name: "Supplier X Energy" })).toBeVisible();
  await page.getByLabel("Location ID").fill("SUPPLIER-X-DEPOT");
  await page.getByLabel("Location name").fill("Supplier X depot");
  await page.getByLabel("Address").fill("7 Meter Lane, York");
  await page.getByRole("button", { name: "Add location" }).click();
  await expect(page.getByText("Supplier X depot, 7 Meter Lane, York")).toBeVisible();
  // A bad id is refused with the reason, nothing added.
  await page.getByLabel("Party ID").fill("SUPPLIER X");
  await page.getByLabel("Party name").fill("Spaces");
  await page.getByLabel("Email for notices").fill("x@x.example");
  await page.getByRole("button", { name: "Add Party" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "ids are capital letters" })).toBeVisible();
  await checkPage(page, "02-parties");

  // --- a facility
  await page.getByRole("link", { name: "Facilities" }).click();
  await page.getByLabel("Facility ID").fill("NX-DOCK");
  await page.getByLabel("Facility name").fill("CSP North X dock");
  await page.getByLabel("CSP").selectOption("North");
  await page.getByLabel("Capacity (pallets)").fill("4");
  await page.getByLabel("Address").fill("9 Quay Street, Hull");
  await page.getByRole("button", { name: "Add facility" }).click();
  await expect(page.getByRole("cell", { name: "LOC-NX-DOCK" })).toBeVisible();
  await checkPage(page, "03-facilities");

  // --- a dock and its token (shown once)
  await page.getByRole("link", { name: "Docks" }).click();
  await page.getByLabel("Dock ID").fill("DOCK-NX1");
  await page.getByLabel("Dock name").fill("Receiving PC");
  await page.getByRole("button", { name: "Add dock" }).click();
  await page.getByRole("button", { name: "Issue token for DOCK-NX1" }).click();
  const dockToken = (await page.getByLabel("token for DOCK-NX1").textContent()) ?? "";
  expect(dockToken).toMatch(/^[A-Za-z0-9_-]{40,}$/);
  await expect(page.getByRole("button", { name: "Rotate token of DOCK-NX1" })).toBeVisible();
  await checkPage(page, "04-docks");
  // The other way to hand a dock its token: a one-time code typed in at the dock.
  await page.getByRole("button", { name: "Enrolment code for DOCK-NX1" }).click();
  const enrolmentCode = (await page.getByLabel("enrolment code for DOCK-NX1").textContent()) ?? "";
  expect(enrolmentCode).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
  await checkPage(page, "04-docks-enrolment-code");

  // --- an operator
  await page.getByRole("link", { name: "Operators" }).click();
  await page.getByLabel("Operator ID").fill("OP-NX-SUP");
  await page.getByLabel("Operator name").fill("Sol Supervisor");
  await page.getByLabel("supervisor").check();
  await page.getByRole("button", { name: "Add operator" }).click();
  await expect(page.getByRole("cell", { name: "receiver, supervisor" })).toBeVisible();
  await expect(page.getByRole("cell", { name: "not set: cannot sign in" })).toBeVisible();
  // Their PIN, told to them in person: the dock pulls only its hash.
  await page.getByRole("button", { name: "Set PIN of OP-NX-SUP" }).click();
  await page.getByLabel("New PIN for OP-NX-SUP").fill("12ab");
  await page.getByRole("button", { name: "Save PIN" }).click();
  await expect(page.getByRole("alert")).toContainText("a PIN is 4 to 12 digits");
  await page.getByLabel("New PIN for OP-NX-SUP").fill("482913");
  await page.getByRole("button", { name: "Save PIN" }).click();
  await expect(page.getByRole("status")).toContainText("PIN set for OP-NX-SUP.");
  await expect(page.getByRole("button", { name: "Reset PIN of OP-NX-SUP" })).toBeVisible();
  await checkPage(page, "05-operators");

  // --- the Party's user
  await page.getByRole("link", { name: "People" }).click();
  await page.getByLabel("Full name").fill("Pia Party");
  await page.getByLabel("Email").fill("pia@supplier-x.example");
  await page.getByLabel("Role").selectOption("party-user");
  await page.getByLabel("Party", { exact: true }).selectOption("SUPPLIER-X");
  await page.getByLabel("First password").fill("pia's long password");
  await page.getByRole("button", { name: "Add account" }).click();
  await expect(page.getByRole("cell", { name: "pia@supplier-x.example", exact: true })).toBeVisible();
  await checkPage(page, "06-people");

  // --- the SMI inventory (as exported: BOM, quoted fields, CRLF)
  await page.getByRole("link", { name: "SMI import" }).click();
  const rows = [1, 2, 3].map(
    (n) => `"${hub(n)}","${hub(n + 64)}","CHF","AB01","010A030B","0002012F","Pending","SUPPLIER-X","North"`,
  );
  const csv =
    '\uFEFF"DeviceID","GPFDeviceID","DeviceType","Manufacturer","DeviceModel","FirmwareVersion","SMIStatus","AssignedParty","CSPRegion"\r\n' +
    rows.join("\r\n") +
    "\r\n";
  await page
    .getByLabel("Inventory CSV file")
    .setInputFiles({ name: "smi-export.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await page.getByRole("button", { name: "Import" }).click();
  await expect(page.getByRole("status")).toContainText("3 records, 3 added, 0 updated, 0 unchanged");
  await page.getByRole("button", { name: "Import" }).click();
  await expect(page.getByRole("status")).toContainText("0 added, 0 updated, 3 unchanged");
  await checkPage(page, "07-smi-import");
  await page.getByRole("link", { name: "Audit" }).click();
  await expect(page.getByRole("cell", { name: "inventory.imported" }).first()).toBeVisible();
  await checkPage(page, "08-audit");
  await page.getByRole("button", { name: "Sign out" }).click();

  // --- the Party's user: template, upload, a rejected row, fixed, submitted
  await expect(page.getByRole("heading", { name: "Sign in to the DCC Re-Flash desk" })).toBeVisible();
  await page.getByLabel("Email").fill("pia@supplier-x.example");
  await page.getByLabel("Password").fill("wrong password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toContainText("the email or the password is wrong");
  await checkPage(page, "09-sign-in");
  await page.getByLabel("Password").fill("pia's long password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Re-flash requests for Supplier X Energy" })).toBeVisible();

  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download the template (XLSX)" }).click();
  const template = await readFile(await (await download).path());
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(template as unknown as ArrayBuffer);
  const sheet = wb.getWorksheet("Hubs")!;
  const pallet = withCheckDigit("35012345000000001");
  const carton = withCheckDigit("35012345000000002");
  sheet.addRow([pallet, carton, hub(1), "0002012F", "AB01", "010A030B"]);
  sheet.addRow([pallet, carton, hub(2), "0002012F", "AB01", "010A030B"]);
  sheet.addRow([pallet, carton, "00-E2-E0-00-00-00-03", "0002012F", "AB01", "010A030B"]);
  const upload = async (name: string) =>
    page.getByLabel("Filled template (XLSX or CSV, at most 2 MiB)").setInputFiles({
      name,
      mimeType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      buffer: Buffer.from(await wb.xlsx.writeBuffer()),
    });
  await upload("supplier-x-returns.xlsx");
  const problems = page.getByRole("alert");
  await expect(problems).toContainText("1 row to fix");
  await expect(problems.getByRole("row", { name: /^4 device ID/ })).toBeVisible();
  await expect(page.getByRole("button", { name: "Submit the request" })).toBeDisabled();
  await checkPage(page, "10-portal-rejected-row");

  sheet.getRow(4).getCell(3).value = hub(3);
  await upload("supplier-x-returns.xlsx");
  await expect(page.getByRole("status")).toContainText("3 hubs in 1 carton on 1 pallet, no problems found");
  await page.getByLabel("Facility").selectOption("NX-DOCK");
  await page.getByLabel("Arrival date").fill(aMonday());
  await page.getByLabel("Arrival window").selectOption("10:00-12:00");
  await page.getByLabel("Re-delivery location").selectOption("SUPPLIER-X-DEPOT");
  await page.getByLabel("Re-delivery date").fill(aMonday(addDays(aMonday(), 7)));
  await page.getByLabel("Re-delivery window").selectOption("13:00-15:00");
  await page.getByLabel("Contact phone").fill("+44 1904 000000");
  await page.getByRole("button", { name: "Submit the request" }).click();
  await expect(page.getByRole("heading", { name: /^Request REQ-.* accepted$/ })).toBeVisible();
  const bookingRef = (await page.locator("dt:text('Booking') + dd").textContent()) ?? "";
  expect(bookingRef).toMatch(/^BK-/);
  await expect(page.getByRole("cell", { name: "accepted" })).toBeVisible();
  await checkPage(page, "11-portal-accepted");

  // --- the booking later: its label, and where the hubs come back; a forecast; the account page
  await page.getByRole("link", { name: "Bookings" }).click();
  await expect(page.getByRole("row", { name: new RegExp(`^${bookingRef} `) })).toContainText("3 on 1 pallet");
  await page.getByLabel("Re-delivery date").fill(aMonday(addDays(aMonday(), 7)));
  await page.getByLabel("Re-delivery location").selectOption("SUPPLIER-X-DEPOT");
  await page.getByRole("button", { name: "Amend re-delivery" }).click();
  await expect(page.getByRole("status")).toContainText("Re-delivery amended");
  await expect(page.getByRole("row", { name: new RegExp(`^${bookingRef} `) })).toContainText("Supplier X depot");
  await checkPage(page, "12-portal-bookings");
  await page.getByRole("link", { name: "Forecast" }).click();
  await page.getByLabel("Hubs expected").fill("1500");
  await page.getByRole("button", { name: "Send forecast" }).click();
  await expect(page.getByRole("cell", { name: "1500" })).toBeVisible();
  await checkPage(page, "13-portal-forecast");
  await page.getByRole("link", { name: "Statement and faults" }).click();
  await page.getByRole("button", { name: "Show statement" }).click();
  await expect(page.getByRole("heading", { name: /^Supplier X Energy, / })).toBeVisible();
  await checkPage(page, "13b-portal-statement");
  await page.getByRole("link", { name: /^Pia Party/ }).click();
  await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();
  await checkPage(page, "14-account");

  // --- the DCC approves the Work Order against a purchase order; the notices go out
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByLabel("Email").fill("ada@dcc.example");
  await page.getByLabel("Password").fill("ada's long password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("link", { name: "Requests" }).click();
  await expect(page.getByRole("cell", { name: "SUPPLIER-X" }).first()).toBeVisible();
  await checkPage(page, "15-ops-requests");
  await page.getByRole("link", { name: "Work Orders" }).click();
  const wo =
    (await page
      .getByRole("row", { name: new RegExp(bookingRef) })
      .getByRole("cell")
      .first()
      .textContent()) ?? "";
  await page.getByLabel(`Purchase order for ${wo}`).fill("PO-4401");
  await page.getByRole("button", { name: `Approve ${wo}` }).click();
  await expect(page.getByRole("row", { name: new RegExp(bookingRef) })).toContainText("approvedPO-4401");
  await checkPage(page, "16-ops-work-orders");
  await page.getByRole("link", { name: "Hub lookup" }).click();
  await page.getByLabel("Device ID").fill(hub(2).replace(/-/g, ":").toLowerCase());
  await page.getByRole("button", { name: "Look up" }).click();
  await expect(page.getByRole("heading", { name: hub(2) })).toBeVisible();
  await expect(page.getByRole("cell", { name: "request.authorised" })).toBeVisible();
  await checkPage(page, "16b-ops-hub");
  await page.getByRole("link", { name: "Email outbox" }).click();
  await page.getByRole("button", { name: "Send what is due now" }).click();
  await expect(page.getByRole("status")).toContainText(/\d+ sent, 0 failed/);
  await checkPage(page, "17-ops-outbox");

  // --- the dock pulls the booking and its operator: with the token the desk showed, then enrolled with its one-time code
  const pullWith = (token: string) =>
    fetch(`${central.url}/sync/pull`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ cursor: "0" }),
    });
  expect(PullResponseSchema.parse(await (await pullWith(dockToken)).json()).bookings.map((b) => b.bookingRef)).toEqual([
    bookingRef,
  ]);
  const enrolled = await fetch(`${central.url}/enrol`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ dockId: "DOCK-NX1", code: enrolmentCode }),
  });
  expect(enrolled.status).toBe(201);
  const { token: enrolledToken } = (await enrolled.json()) as { token: string };
  expect((await pullWith(dockToken)).status).toBe(401);
  const pulled = PullResponseSchema.parse(await (await pullWith(enrolledToken)).json());
  expect(pulled.bookings.map((b) => b.bookingRef)).toEqual([bookingRef]);
  expect(pulled.operators.map((o) => o.operatorId)).toEqual(["OP-NX-SUP"]);
});
