import { z } from "zod";
import { ClockTimeSchema } from "../shared/domain/booking";

/**
 * Central's configuration: everything MP155 leaves to the DCC (charges, working hours,
 * delivery slots, packing limits) lives here, never as constants in the code paths.
 * `loadConfig` reads the environment; a JSON file named by CENTRAL_CONFIG overrides the
 * business defaults below.
 */
export const BusinessConfigSchema = z.strictObject({
  charges: z.strictObject({
    /** Explicit Charge per re-flashed hub (MP155 illustrates £7.58-£12.03 at 300,000 a year). */
    explicitChargePence: z.number().int().nonnegative(),
    /** Credit per hub accepted but not re-flashable (Req 6). */
    creditPerFailedHubPence: z.number().int().nonnegative(),
    /** Return charge per hub rejected at receipt and sent back (DP238's figure for redeployable hubs). */
    returnChargePence: z.number().int().nonnegative(),
  }),
  workingHours: z.strictObject({ start: ClockTimeSchema, end: ClockTimeSchema, days: z.array(z.number().int().min(0).max(6)).min(1) }),
  /** Delivery timeslots a facility offers each working day; one booking per slot. */
  deliverySlots: z.array(z.strictObject({ start: ClockTimeSchema, end: ClockTimeSchema })).min(1),
  packing: z.strictObject({ hubsPerCarton: z.number().int().positive(), cartonsPerPallet: z.number().int().positive() }),
  /** Largest request body central reads, in bytes. */
  maxBodyBytes: z.number().int().positive(),
  /** Outbox: give up (status failed) after this many attempts. */
  mailMaxAttempts: z.number().int().positive(),
  /** Sender of every notice. */
  mailFrom: z.string().min(3),
});
export type BusinessConfig = z.infer<typeof BusinessConfigSchema>;

export const DEFAULT_BUSINESS_CONFIG: BusinessConfig = {
  charges: { explicitChargePence: 758, creditPerFailedHubPence: 758, returnChargePence: 827 },
  workingHours: { start: "08:00", end: "17:00", days: [1, 2, 3, 4, 5] },
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
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`CENTRAL_PORT must be a port number, got ${env.CENTRAL_PORT}`);
  const dataDir = env.CENTRAL_DATA_DIR ?? ".data/central";
  let business = DEFAULT_BUSINESS_CONFIG;
  if (env.CENTRAL_CONFIG) {
    const raw: unknown = JSON.parse(readFile(env.CENTRAL_CONFIG));
    const merged = { ...DEFAULT_BUSINESS_CONFIG, ...(typeof raw === "object" && raw !== null ? raw : {}) };
    const parsed = BusinessConfigSchema.safeParse(merged);
    if (!parsed.success) throw new Error(`CENTRAL_CONFIG ${env.CENTRAL_CONFIG}: ${z.prettifyError(parsed.error)}`);
    business = parsed.data;
  }
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
