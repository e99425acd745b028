import { z } from "zod";
import { ClockTimeSchema, CspSchema } from "../shared/domain/booking";
import { ChargesConfigSchema, EXAMPLE_CHARGES_CONFIG } from "../shared/domain/charges";
import { EXAMPLE_WORKING_HOURS, WorkingHoursConfigSchema } from "../shared/domain/working-hours";
import { DEFAULT_SITE_TIME_ZONE, SiteTimeZoneSchema } from "../shared/domain/site-clock";

/**
 * Central's configuration: everything MP155 leaves to the DCC (charges, working hours,
 * delivery slots, packing limits) lives here, never as constants in the code paths.
 * `loadConfig` reads the environment; a JSON file named by CENTRAL_CONFIG overrides the
 * business defaults below.
 *
 * Charges and working hours are the dock's own models (shared/domain/charges.ts and
 * working-hours.ts), parsed with the same schemas and applied with the same functions
 * (statement, checkDeliverySlot): one rule, so a notice the dock accepts is one central accepts.
 */
export const BusinessConfigSchema = z.strictObject({
  /** Explicit Charge, credits and return charges by HAN variant (shared ChargesConfig). */
  charges: ChargesConfigSchema,
  /** Opening hours per weekday, bank holidays, minimum notice (shared WorkingHoursConfig). */
  workingHours: WorkingHoursConfigSchema,
  /** Delivery timeslots a facility offers each working day; one booking per slot. */
  deliverySlots: z.array(z.strictObject({ start: ClockTimeSchema, end: ClockTimeSchema })).min(1),
  packing: z.strictObject({
    hubsPerCarton: z.number().int().positive(),
    cartonsPerPallet: z.number().int().positive(),
  }),
  /** Largest request body central reads, in bytes. */
  maxBodyBytes: z.number().int().positive(),
  /** Outbox: give up (status failed) after this many attempts. */
  mailMaxAttempts: z.number().int().positive(),
  /** Sender of every notice. */
  mailFrom: z.string().min(3),
  /** Who a Party calls about a booking: printed on the authorisation (Req 3). */
  dccContact: z.strictObject({
    name: z.string().min(1).max(200),
    email: z.email(),
    phone: z.string().regex(/^[0-9 +()-]{6,30}$/, "phone is 6-30 of digits, space, + ( ) -"),
  }),
  /**
   * Issue 17: ASN numbers from central only. When true, an asn.issued is refused unless its
   * number is in a block central reserved for that very dock (POST /sync/asn-numbers {count}).
   * A number reserved for another dock is refused either way. True by default: the dock issues
   * only from the blocks it reserves (renderer/src/sync/asn-block.ts); false accepts numbers a dock
   * of an older release made from its own log.
   */
  asnNumbersFromCentralOnly: z.boolean(),
  /** Req 4: when a late arrival's slot cannot be taken, every free slot this many days ahead is offered. */
  lateArrivalHorizonDays: z.number().int().min(1).max(366),
  /** CSPs at which a Work Order must be approved against a purchase order before the dock may work it (PIA 6.2.2). */
  purchaseOrderRequired: z.array(CspSchema),
  /**
   * How far from central's clock a pushed event's instant may be (after the dock's own measured
   * clock offset): a dock may have been offline for a while, but a flash dated 1970 or 9999 is
   * refused with the reason. The offset a dock claims is itself bounded.
   */
  eventWindow: z.strictObject({
    pastDays: z.number().int().positive(),
    futureMinutes: z.number().int().nonnegative(),
    maxClockOffsetMinutes: z.number().int().nonnegative(),
  }),
  /** Requests a token, and an address, may make per minute before central answers 429 with Retry-After. */
  rateLimit: z.strictObject({
    perTokenPerMinute: z.number().int().positive(),
    perAddressPerMinute: z.number().int().positive(),
    /** Failed authentications an address may make per minute (wrong or revoked tokens). */
    failedAuthPerAddressPerMinute: z.number().int().positive(),
  }),
  /**
   * The sites' IANA time zone (issue 16): "today", a date in the past, late and the delivery
   * window are on this clock at central as at the dock, never the server's UTC. Absent: Europe/London.
   */
  siteTimeZone: SiteTimeZoneSchema.optional(),
});
export type BusinessConfig = z.infer<typeof BusinessConfigSchema>;

export const DEFAULT_BUSINESS_CONFIG: BusinessConfig = {
  // The documented illustrations (shared/): a site sets its own through CENTRAL_CONFIG.
  charges: EXAMPLE_CHARGES_CONFIG,
  workingHours: EXAMPLE_WORKING_HOURS,
  siteTimeZone: DEFAULT_SITE_TIME_ZONE,
  deliverySlots: [
    { start: "08:00", end: "10:00" },
    { start: "10:00", end: "12:00" },
    { start: "13:00", end: "15:00" },
    { start: "15:00", end: "17:00" },
  ],
  packing: { hubsPerCarton: 32, cartonsPerPallet: 28 },
  // A 2,000-event push batch is ~1.5 MB of JSON; a 1,792-hub request ~0.4 MB.
  maxBodyBytes: 4 * 1024 * 1024,
  mailMaxAttempts: 8,
  mailFrom: "DCC Re-Flash <reflash@dcc.example>",
  dccContact: { name: "DCC Re-Flash Service Desk", email: "reflash-desk@dcc.example", phone: "+44 300 000 0000" },
  // Central & South works through a 3PL that needs an approved purchase order first (PIA 6.2.2).
  purchaseOrderRequired: ["CentralSouth"],
  lateArrivalHorizonDays: 28,
  asnNumbersFromCentralOnly: true,
  eventWindow: { pastDays: 180, futureMinutes: 10, maxClockOffsetMinutes: 24 * 60 },
  // A dock syncs about once a second while scanning, but catching up after a day offline it pushes batch after
  // batch (50 a second on PostgreSQL); a Party calls rarely. Generous for them, not for a flood or a brute force.
  rateLimit: { perTokenPerMinute: 3000, perAddressPerMinute: 6000, failedAuthPerAddressPerMinute: 30 },
};

export interface CentralEnv {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | null;
  smtpUrl: string | null;
  /** Where .eml files go when no SMTP server is configured. */
  mailDir: string;
  business: BusinessConfig;
}

/** Reads the environment (and CENTRAL_CONFIG's JSON, if set); throws a readable error on bad values. */
export function loadEnv(env: Record<string, string | undefined>, readFile: (p: string) => string): CentralEnv {
  const port = Number(env.CENTRAL_PORT ?? "4010");
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`CENTRAL_PORT must be a port number, got ${env.CENTRAL_PORT}`);
  const dataDir = env.CENTRAL_DATA_DIR ?? ".data/central";
  let business = DEFAULT_BUSINESS_CONFIG;
  if (env.CENTRAL_CONFIG) business = parseBusinessConfig(readFile(env.CENTRAL_CONFIG), env.CENTRAL_CONFIG);
  return {
    port,
    host: env.CENTRAL_HOST ?? "127.0.0.1",
    dataDir,
    databaseUrl: env.DATABASE_URL && env.DATABASE_URL !== "" ? env.DATABASE_URL : null,
    smtpUrl: env.SMTP_URL && env.SMTP_URL !== "" ? env.SMTP_URL : null,
    mailDir: env.CENTRAL_MAIL_DIR ?? `${dataDir}/mail`,
    business,
  };
}

/**
 * A CENTRAL_CONFIG file: JSON whose top-level keys replace the defaults' (a key given is given
 * whole, e.g. all of `workingHours`), validated with the same schemas; throws naming every issue.
 */
export function parseBusinessConfig(text: string, name = "CENTRAL_CONFIG"): BusinessConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${name}: not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new Error(`${name}: expected a JSON object of settings`);
  const parsed = BusinessConfigSchema.safeParse({ ...DEFAULT_BUSINESS_CONFIG, ...raw });
  if (!parsed.success) throw new Error(`${name}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
