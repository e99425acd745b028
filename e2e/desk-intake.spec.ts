import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { test as base, expect, type Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import nodemailer from "nodemailer";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";
import { PullResponseSchema } from "../shared/sync";
import { withCheckDigit } from "../shared/domain/demo-booking";
import { TEMPLATE_COLUMNS } from "../shared/domain/request-template";
import { DISPATCH_COLUMNS } from "../shared/domain/dispatch-document";
import { EXAMPLE_WORKING_HOURS } from "../shared/domain/working-hours";
import { addDays, dayOfWeek } from "../central/services/working-time";
import { freePort, startService, waitForHttp, type ServiceProcess } from "./service-process";

/**
 * Requests by email and the dispatch document (issue 19), on the seeded demo world: central
 * runs its SMTP request mailbox (MAIL_INTAKE_PORT) and sends its mail to the Parties' mail
 * server (an in-test SMTP server). An admin imports an SMI inventory; the Party emails its
 * filled template with the delivery details and gets the acceptance with the label PDF back;
 * its portal user finds the booking, has a dispatch document refused for a hub not on it, then
 * uploads the right one; the dock pulls the booking with which pallet holds which hubs; DCC
 * operations cancel another Work Order with a reason and the Party is told. axe on each page.
 */

const repoRoot = resolve(fileURLToPath(new URL("..", import.meta.url)));
const shots = join(repoRoot, "test-results", "desk");
const MAILBOX = "requests@dcc.example";

interface Account {
  email: string;
  password: string;
  role: string;
  partyId: string | null;
}
interface World {
  url: string;
  intakePort: number;
  inbox: ParsedMail[];
  accounts: Account[];
  dockToken: string;
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ["--import", "tsx", ...args], { cwd: repoRoot, env });
    let text = "";
    child.stdout.on("data", (d: Buffer) => (text += d.toString()));
    child.stderr.on("data", (d: Buffer) => (text += d.toString()));
    child.once("exit", (code) =>
      code === 0 ? done(text) : fail(new Error(`${args.join(" ")} exited ${code}: ${text}`)),
    );
  });
}

const test = base.extend<{ world: World }>({
  world: async ({}, use) => {
    const dataDir = await mkdtemp(join(tmpdir(), "desk-intake-e2e-"));
    // The Parties' mail server: central's answers and notices land here.
    const inbox: ParsedMail[] = [];
    const partyMail = new SMTPServer({
      disabledCommands: ["STARTTLS", "AUTH"],
      authOptional: true,
      logger: false,
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () => {
          simpleParser(Buffer.concat(chunks)).then(
            (m) => {
              inbox.push(m);
              callback();
            },
            (e: Error) => callback(e),
          );
        });
      },
    });
    const mailPort = await freePort();
    await new Promise<void>((r) => partyMail.listen(mailPort, "127.0.0.1", () => r()));
    const port = await freePort();
    const intakePort = await freePort();
    const env = {
      ...process.env,
      CENTRAL_PORT: String(port),
      CENTRAL_HOST: "127.0.0.1",
      CENTRAL_DATA_DIR: dataDir,
    };
    await run(["central/seed.ts"], env);
    let central: ServiceProcess | null = null;
    try {
      central = await startService({
        name: "central",
        script: "central/main.ts",
        cwd: repoRoot,
        env: {
          CENTRAL_PORT: String(port),
          CENTRAL_HOST: "127.0.0.1",
          CENTRAL_DATA_DIR: dataDir,
          SMTP_URL: `smtp://127.0.0.1:${mailPort}`,
          MAIL_INTAKE_PORT: String(intakePort),
          MAIL_INTAKE_ADDRESS: MAILBOX,
        },
        ready: (_o, child) => waitForHttp(`http://127.0.0.1:${port}/health`, () => child.exitCode === null),
      });
      const accounts = JSON.parse(await readFile(join(dataDir, "desk-accounts.json"), "utf8")) as Account[];
      const tokens = JSON.parse(await readFile(join(dataDir, "tokens.json"), "utf8")) as {
        docks: Record<string, string>;
      };
      await use({
        url: `http://127.0.0.1:${port}`,
        intakePort,
        inbox,
        accounts,
        dockToken: tokens.docks["DOCK-N1"] ?? "",
      });
    } finally {
      await central?.stop();
      await new Promise<void>((r) => partyMail.close(() => r()));
      await rm(dataDir, { recursive: true, force: true });
    }
  },
});

test.use({ viewport: { width: 1366, height: 768 } });

async function checkPage(page: Page, name: string): Promise<void> {
  await mkdir(shots, { recursive: true });
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: false });
  const axe = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  expect(
    axe.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`),
    `axe on ${name}`,
  ).toEqual([]);
}

async function signIn(page: Page, world: World, who: Account | undefined): Promise<void> {
  if (!who) throw new Error("no such demo account");
  await page.goto(`${world.url}/desk/`);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

function aMonday(): string {
  let d = addDays(new Date().toISOString().slice(0, 10), 14);
  while (dayOfWeek(d) !== 1 || EXAMPLE_WORKING_HOURS.bankHolidays.includes(d)) d = addDays(d, 1);
  return d;
}
const hub = (n: number) => `00-E2-E1-00-00-00-00-${n.toString(16).toUpperCase().padStart(2, "0")}`;

test("a request emailed with the template is booked and answered with its label; the Party sends its dispatch document; a Work Order is cancelled with a reason", async ({
  page,
  world,
}) => {
  test.setTimeout(180_000);
  const admin = world.accounts.find((a) => a.role === "dcc-admin");
  const portal = world.accounts.find((a) => a.email === "portal@supplier-a.example");

  // --- the SMI inventory has the Party's hubs
  await signIn(page, world, admin);
  await page.getByRole("link", { name: "SMI import" }).click();
  const inv =
    "DeviceID,GPFDeviceID,DeviceType,Manufacturer,DeviceModel,FirmwareVersion,SMIStatus,AssignedParty,CSPRegion\r\n" +
    [1, 2, 3, 4]
      .map((n) => `${hub(n)},${hub(n + 64)},CHF,AB01,010A030B,0002012F,Pending,SUPPLIER-A,North`)
      .join("\r\n");
  await page
    .getByLabel("Inventory CSV file")
    .setInputFiles({ name: "smi.csv", mimeType: "text/csv", buffer: Buffer.from(inv) });
  await page.getByRole("button", { name: "Import" }).click();
  await expect(page.getByRole("status")).toContainText("4 added");

  // --- the Party emails its request: the filled template attached, the delivery details in the message
  const pallet = withCheckDigit("35099999000000001");
  const carton = withCheckDigit("35099999000000002");
  const csv = [
    TEMPLATE_COLUMNS.join(","),
    ...[1, 2, 3].map((n) => [pallet, carton, hub(n), "0002012F", "AB01", "010A030B"].join(",")),
  ].join("\r\n");
  const messageId = `<e2e-${Date.now()}@supplier-a.example>`;
  const mailer = nodemailer.createTransport({
    host: "127.0.0.1",
    port: world.intakePort,
    secure: false,
    ignoreTLS: true,
  });
  const sent = await mailer.sendMail({
    from: "Supplier A returns <returns@supplier-a.example>",
    to: MAILBOX,
    subject: "Re-flash request, December",
    messageId,
    text: [
      "Hello, please re-flash the hubs attached.",
      "",
      "Facility: N-DOCK-1",
      "Arrival location: LOC-N-DOCK-1",
      `Arrival date: ${aMonday()}`,
      "Arrival window: 10:00-12:00",
      "Re-delivery location: SUPPLIER-A-DEPOT",
      `Re-delivery date: ${addDays(aMonday(), 14)}`,
      "Re-delivery window: 10:00-12:00",
      "Contact name: Sam Returns",
      "Contact phone: 0113 496 0000",
    ].join("\r\n"),
    attachments: [{ filename: "request.csv", content: Buffer.from(csv) }],
  });
  mailer.close();
  expect(sent.response).toMatch(/^250 .*accepted/);
  // Central's answer arrives at the Party's mail server (the outbox runs every 5 s).
  await expect
    .poll(() => world.inbox.find((m) => m.inReplyTo === messageId)?.subject, { timeout: 60_000 })
    .toBe("Re: Re-flash request, December");
  const reply = world.inbox.find((m) => m.inReplyTo === messageId);
  expect(reply?.text).toMatch(/is accepted/);
  const bookingRef = /Booking reference: (BK-[A-Z0-9]+)/.exec(reply?.text ?? "")?.[1] ?? "";
  expect(bookingRef).toMatch(/^BK-/);
  const pdf = reply?.attachments.find((a) => a.contentType === "application/pdf");
  expect(pdf?.filename).toBe(`booking-label-${bookingRef}.pdf`);

  // --- the Party's user sees the booking and sends its dispatch document
  await page.getByRole("button", { name: "Sign out" }).click();
  await signIn(page, world, portal);
  await page.getByRole("link", { name: "Bookings" }).click();
  await expect(page.getByRole("row", { name: new RegExp(`^${bookingRef} `) })).toContainText("3 on 1 pallet");
  await page.getByRole("link", { name: "Dispatch document" }).click();
  await expect(page.getByRole("heading", { name: "Dispatch document", level: 1 })).toBeVisible();
  await page.getByLabel("Booking").selectOption(bookingRef);
  await page.getByLabel("Sent (date and time)").fill(`${addDays(new Date().toISOString().slice(0, 10), -1)}T07:30`);
  await page.getByLabel("Your signifier for this dispatch").fill("DN-2026-0042");
  // Typed: one hub that is not on the booking is refused with its reason; nothing is stored.
  await page.getByLabel("Type them here").check();
  await page.getByLabel("Pallet 1 SSCC").fill(pallet);
  await page.getByLabel("Pallet 1 ID (yours)").fill("SUP-A-PAL-7");
  await page.getByLabel("Pallet 1 hubs (Device IDs, one a line)").fill(`${hub(1)}\n${hub(4)}`);
  await page.getByRole("button", { name: "Send dispatch document" }).click();
  await expect(page.getByRole("alert")).toContainText(`hub ${hub(4)} is not on booking ${bookingRef}`);
  await checkPage(page, "14-portal-dispatch-refused");
  // Uploaded: the dispatch file, one row per hub.
  await page.getByLabel("Upload a file (CSV or XLSX)").check();
  const dispatchCsv = [DISPATCH_COLUMNS.join(","), ...[1, 2, 3].map((n) => `${pallet},SUP-A-PAL-7,${hub(n)}`)].join(
    "\r\n",
  );
  await page
    .getByLabel("Dispatch file (XLSX or CSV, at most 2 MiB)")
    .setInputFiles({ name: "dispatch.csv", mimeType: "text/csv", buffer: Buffer.from(dispatchCsv) });
  await page.getByRole("button", { name: "Send dispatch document" }).click();
  await expect(page.getByRole("status")).toContainText(
    `Dispatch document DN-2026-0042 stored for booking ${bookingRef}`,
  );
  await expect(page.getByRole("table")).toContainText("SUP-A-PAL-7");
  await checkPage(page, "15-portal-dispatch");

  // --- the dock pulls the booking with which pallet holds which hubs
  const pull = PullResponseSchema.parse(
    await (
      await fetch(`${world.url}/sync/pull`, {
        method: "POST",
        headers: { authorization: `Bearer ${world.dockToken}`, "content-type": "application/json" },
        body: JSON.stringify({ cursor: "0" }),
      })
    ).json(),
  );
  const pulled = pull.bookings.find((b) => b.bookingRef === bookingRef);
  expect(pulled?.dispatch?.partySignifier).toBe("DN-2026-0042");
  expect(pulled?.dispatch?.pallets).toEqual([
    { sscc: pallet, palletId: "SUP-A-PAL-7", deviceIds: [hub(1), hub(2), hub(3)] },
  ]);

  // --- DCC operations cancel the demo booking's Work Order with a reason; the Party is told
  await page.getByRole("button", { name: "Sign out" }).click();
  await signIn(
    page,
    world,
    world.accounts.find((a) => a.role === "dcc-ops"),
  );
  await page.getByRole("link", { name: "Work Orders" }).click();
  const demo = pull.bookings.find((b) => b.bookingRef !== bookingRef);
  if (!demo) throw new Error("the demo booking");
  const woId = demo.workOrderId;
  await page.getByLabel(`Reason to cancel ${woId}`).fill("Duplicate of the emailed request");
  await page.getByRole("button", { name: `Cancel ${woId}` }).click();
  await expect(page.getByRole("row", { name: new RegExp(`^${woId} `) })).toContainText(
    "cancelledDuplicate of the emailed request",
  );
  await checkPage(page, "16-ops-work-order-cancelled");
  await expect
    .poll(() => world.inbox.find((m) => m.subject?.startsWith(`Work Order ${woId} cancelled`))?.text ?? "", {
      timeout: 60_000,
    })
    .toMatch(/Reason: Duplicate of the emailed request/);
});
