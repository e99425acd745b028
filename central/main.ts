import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import { createApp } from "./app";
import { loadEnv } from "./config";
import { dockOrigins, exactOrigins } from "./http/cors-policy";
import { dataPaths } from "./data-dir";
import { openDatabase } from "./db/connect";
import { readSigningKeyFile } from "./services/firmware-catalogue";
import { deliverOutbox, type MailTarget } from "./services/outbox";
import { createCentralLog, fallbackCentralLogger } from "./log";
import { tlsFromEnv } from "./http/tls";
import { mailIntakeFromEnv, startMailIntake } from "./desk/email-intake";
import { storedDeskSettings } from "./desk/settings";

/**
 * Starts the central service: PGlite in the data folder (default .data/central), or the
 * PostgreSQL server named by DATABASE_URL; listens on 127.0.0.1:CENTRAL_PORT (default 4010).
 */
async function main(): Promise<void> {
  const env = loadEnv(process.env, (p) => readFileSync(p, "utf8"));
  const paths = dataPaths(env.dataDir);
  const { logger } = createCentralLog({
    dir: join(env.dataDir, "logs"),
    stdoutLevel: process.env.CENTRAL_STDOUT_LEVEL === "info" ? "info" : "warn",
  });
  const database = await openDatabase(
    env.databaseUrl ? { kind: "postgres", url: env.databaseUrl } : { kind: "pglite", dataDir: paths.pglite },
  );
  // The business settings the DCC saved at the desk, laid over CENTRAL_CONFIG (a fresh object: the desk updates it in place).
  const business = { ...env.business, ...(await storedDeskSettings(database.db)) };
  const signingKey = await readSigningKeyFile(process.env.CENTRAL_SIGNING_KEY ?? paths.signingKey);
  const mail: MailTarget = env.smtpUrl
    ? { kind: "smtp", url: env.smtpUrl }
    : { kind: "eml", dir: process.env.CENTRAL_MAIL_DIR ?? paths.mail };
  const tls = tlsFromEnv(process.env, (p) => readFileSync(p, "utf8"));
  const desk = {
    deskDist: process.env.DESK_DIST ?? fileURLToPath(new URL("../desk/dist", import.meta.url)),
    publicOrigin: process.env.DESK_PUBLIC_ORIGIN ?? null,
  };
  const app = createApp({
    db: database.db,
    business,
    signingKey,
    mail,
    databaseKind: database.kind,
    allowOrigin: process.env.CENTRAL_CORS_ORIGINS ? exactOrigins(process.env.CENTRAL_CORS_ORIGINS) : dockOrigins,
    desk,
    logger,
    firmwareImagesDir: paths.firmware,
    metricsToken: process.env.CENTRAL_METRICS_TOKEN || null,
    processMetrics: true,
    ...(database.dumpDataDir ? { dumpDataDir: database.dumpDataDir } : {}),
    tlsCertPem: tls.kind === "tls" ? String(tls.serverOptions.cert) : null,
  });

  // Where to open things is for the person who started central: on stdout whatever the level, and in the log.
  const say = (line: string) => {
    logger.info(line);
    if (process.env.CENTRAL_STDOUT_LEVEL !== "info") process.stdout.write(`${line}\n`);
  };
  const scheme = tls.kind === "tls" ? "https" : "http";
  const server = serve(
    {
      fetch: app.fetch,
      hostname: env.host,
      port: env.port,
      ...(tls.kind === "tls" ? { createServer: tls.createServer, serverOptions: tls.serverOptions } : {}),
    },
    (info) => {
      say(
        `central: listening on ${scheme}://${env.host}:${info.port} (${database.kind === "pglite" ? `PGlite in ${paths.pglite}` : "PostgreSQL from DATABASE_URL"})`,
      );
      say(`central: the DCC desk at ${desk.publicOrigin ?? `${scheme}://${env.host}:${info.port}`}/desk/`);
      say(
        `central: mail ${mail.kind === "smtp" ? "through SMTP_URL" : `as .eml files in ${mail.dir}`}; signing key ${signingKey ? signingKey.keyId : "none (run npx tsx central/seed.ts)"}`,
      );
    },
  );

  // Requests by email (MAIL_INTAKE_PORT): answered through the outbox like every notice.
  const intakeConfig = mailIntakeFromEnv(process.env);
  const intake = intakeConfig
    ? await startMailIntake(database.db, business, intakeConfig, {
        info: (m) => logger.info(m),
        error: (m) => logger.error(m),
      })
    : null;
  if (intakeConfig && intake)
    say(`central: request mailbox ${intakeConfig.address} takes mail by SMTP on ${intakeConfig.host}:${intake.port}`);

  // Deliver the outbox in the background; a failed send is retried with backoff by deliverOutbox.
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    deliverOutbox(database.db, mail, { from: env.business.mailFrom, maxAttempts: env.business.mailMaxAttempts })
      .catch((err: unknown) => logger.error({ err }, "central: outbox delivery failed"))
      .finally(() => {
        busy = false;
      });
  }, 5000);

  const stop = () => {
    clearInterval(timer);
    void intake?.close();
    server.close(() => void database.close().then(() => process.exit(0)));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((e: unknown) => {
  fallbackCentralLogger().fatal(`central: cannot start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
