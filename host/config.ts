import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { CspSchema } from "../shared/domain/booking";
import { DockIdSchema, describeZodError, type SiteConfig } from "../shared/bridge/channels";
import { parseUsbIds, type UsbId } from "./usb-ids";
import { DEFAULT_UNSENT_ALARM_MS, MAX_UNSENT_ALARM_MS, MIN_UNSENT_ALARM_MS } from "../shared/domain/unsent-alarm";

/**
 * The host's configuration, from the environment, validated once at start so a typo
 * stops the host with a clear message instead of surfacing later as odd behaviour.
 * The shell always binds to 127.0.0.1: the bridge drives hardware, so it is never
 * offered on a network interface (no option to change that, on purpose).
 */

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

const PortSchema = z.coerce.number().int().min(0).max(65535);

export const HostEnvSchema = z
  .object({
    HOST_PORT: PortSchema.default(4020),
    CENTRAL_URL: z.url({ protocol: /^https?$/ }).default("http://127.0.0.1:4010"),
    /** This dock's device token for central (central's seed writes it to tokens.json). */
    DOCK_CENTRAL_TOKEN: z.string().min(1).max(512).optional(),
    DOCK_ID: DockIdSchema.default("dock-dev-1"),
    SITE_FACILITY_ID: z.string().min(1).max(64).default("FAC-DEV"),
    SITE_NAME: z.string().min(1).max(200).default("Development dock"),
    SITE_CSP: CspSchema.default("North"),
    /** "true" on a production site: DCC test-lab device IDs are then flagged. */
    SITE_PRODUCTION: z.enum(["true", "false"]).default("false"),
    /** Where the host keeps its hardware journal. */
    DOCK_DATA_DIR: z.string().min(1).default(resolve(repoRoot, ".data/host")),
    /** The built renderer (vite outDir). */
    RENDERER_DIST: z.string().min(1).default(resolve(repoRoot, "renderer/dist")),
    /** "simulated": a simulated scanner and jigs; "auto": USB HID-POS scanners and the listed jigs found by node-hid (./usb-devices.ts). */
    DOCK_HARDWARE: z.enum(["simulated", "auto"]).default("simulated"),
    /** The site's jigs by USB vendor:product, hex, comma-separated (e.g. "1209:7D01"); none by default. */
    USB_JIG_IDS: z
      .string()
      .transform((text, ctx) => {
        const parsed = parseUsbIds(text);
        if (!parsed.ok) {
          ctx.addIssue({ code: "custom", message: `USB_JIG_IDS: ${parsed.reason}` });
          return z.NEVER;
        }
        return parsed.ids;
      })
      .optional(),
    /** How often USB devices are listed when the OS gives no hot-plug events (ms). */
    USB_POLL_MS: z.coerce.number().int().min(100).max(60_000).default(1000),
    /** "true" lets the dock reach a non-loopback central over plain HTTP (e.g. behind a trusted VPN); otherwise refused. */
    DOCK_ALLOW_PLAIN_HTTP: z.enum(["true", "false"]).default("false"),
    /** "off": a dock with no token and no enrolment runs without central instead of asking to be enrolled (development, tests). */
    DOCK_ENROLMENT: z.enum(["required", "off"]).default("required"),
    /** How long (seconds) the oldest unsent event may stay unmoved before the dock shows its alarm; 10 minutes by default. */
    DOCK_UNSENT_ALARM_SECONDS: z.coerce
      .number()
      .int("DOCK_UNSENT_ALARM_SECONDS is a whole number of seconds")
      .min(MIN_UNSENT_ALARM_MS / 1000, "DOCK_UNSENT_ALARM_SECONDS is at least 1")
      .max(MAX_UNSENT_ALARM_MS / 1000, "DOCK_UNSENT_ALARM_SECONDS is at most 86400 (a day)")
      .default(DEFAULT_UNSENT_ALARM_MS / 1000),
  })
  .superRefine((e, ctx) => {
    const url = new URL(e.CENTRAL_URL);
    if (url.protocol === "http:" && !isLoopbackHost(url.hostname) && e.DOCK_ALLOW_PLAIN_HTTP !== "true") {
      ctx.addIssue({
        code: "custom",
        path: ["CENTRAL_URL"],
        message: `central at ${url.host} is not on this machine, so it must be reached over https:// (plain HTTP would send the dock's token and every event readable on the network); set DOCK_ALLOW_PLAIN_HTTP=true only where the network itself is trusted`,
      });
    }
  });

/** Whether a URL's hostname names this machine: localhost, 127.0.0.0/8 or ::1. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  if (h === "localhost" || h.endsWith(".localhost") || h === "::1") return true;
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  return m !== null && m.slice(1).every((o) => Number(o) <= 255);
}

export interface HostConfig {
  port: number;
  centralUrl: string;
  centralToken: string | null;
  dockId: string;
  site: SiteConfig;
  dataDir: string;
  rendererDist: string;
  simulated: boolean;
  /** With real hardware (`DOCK_HARDWARE=auto`): the jigs to open by VID/PID, and the poll interval. */
  usb: { jigIds: UsbId[]; pollMs: number };
  version: string;
  /** Enrolment (./enrolment.ts): whether a dock without a token asks to be enrolled, and whether plain HTTP to a remote central is allowed. */
  enrolment?: { off: boolean; allowPlainHttp: boolean };
  /** The unsent-event alarm's threshold (ms), handed to the renderer by host.info. */
  unsentAlarmMs?: number;
}

export type ConfigResult = { ok: true; config: HostConfig } | { ok: false; error: string };

/** The app version from package.json (the host and the renderer ship together). */
function appVersion(): string {
  try {
    const parsed = z
      .object({ version: z.string().min(1) })
      .safeParse(JSON.parse(readFileSync(resolve(repoRoot, "package.json"), "utf8")));
    return parsed.success ? parsed.data.version : "0.0.0";
  } catch {
    return "0.0.0";
  }
}

/** Reads and validates the host configuration from `env`; never throws. */
export function loadHostConfig(env: Record<string, string | undefined>): ConfigResult {
  // Empty variables count as unset, so `HOST_PORT= npm start` means the default.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = HostEnvSchema.safeParse(present);
  if (!parsed.success) return { ok: false, error: `host configuration: ${describeZodError(parsed.error)}` };
  const e = parsed.data;
  return {
    ok: true,
    config: {
      port: e.HOST_PORT,
      centralUrl: e.CENTRAL_URL,
      centralToken: e.DOCK_CENTRAL_TOKEN ?? null,
      dockId: e.DOCK_ID,
      site: {
        facilityId: e.SITE_FACILITY_ID,
        name: e.SITE_NAME,
        csp: e.SITE_CSP,
        production: e.SITE_PRODUCTION === "true",
      },
      dataDir: resolve(e.DOCK_DATA_DIR),
      rendererDist: resolve(e.RENDERER_DIST),
      simulated: e.DOCK_HARDWARE === "simulated",
      usb: { jigIds: e.USB_JIG_IDS ?? [], pollMs: e.USB_POLL_MS },
      version: appVersion(),
      enrolment: { off: e.DOCK_ENROLMENT === "off", allowPlainHttp: e.DOCK_ALLOW_PLAIN_HTTP === "true" },
      unsentAlarmMs: e.DOCK_UNSENT_ALARM_SECONDS * 1000,
    },
  };
}
