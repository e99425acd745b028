import { createServer } from "node:https";
import type { ServerOptions } from "node:https";

/**
 * HTTPS for central when it is given a certificate and key (PEM files): CENTRAL_TLS_CERT and
 * CENTRAL_TLS_KEY, both or neither. Without them central speaks plain HTTP, meant for loopback
 * or for a reverse proxy on the same machine that terminates TLS (docs/central.md "Transport").
 */
export type TlsSetup =
  { kind: "none" } | { kind: "tls"; createServer: typeof createServer; serverOptions: ServerOptions };

export function tlsFromEnv(env: Record<string, string | undefined>, readFile: (path: string) => string): TlsSetup {
  const cert = env.CENTRAL_TLS_CERT || undefined;
  const key = env.CENTRAL_TLS_KEY || undefined;
  if (cert === undefined && key === undefined) return { kind: "none" };
  if (cert === undefined || key === undefined)
    throw new Error(
      "CENTRAL_TLS_CERT and CENTRAL_TLS_KEY go together: give both PEM files (certificate chain and private key), or neither for plain HTTP",
    );
  const read = (name: string, path: string) => {
    try {
      return readFile(path);
    } catch (e) {
      throw new Error(`${name}: cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  const serverOptions: ServerOptions = {
    cert: read("CENTRAL_TLS_CERT", cert),
    key: read("CENTRAL_TLS_KEY", key),
    minVersion: "TLSv1.2",
  };
  if (!String(serverOptions.cert).includes("-----BEGIN CERTIFICATE-----"))
    throw new Error(`CENTRAL_TLS_CERT: ${cert} holds no PEM certificate`);
  if (!/-----BEGIN (RSA |EC )?PRIVATE KEY-----/.test(String(serverOptions.key)))
    throw new Error(`CENTRAL_TLS_KEY: ${key} holds no PEM private key`);
  return { kind: "tls", createServer, serverOptions };
}
