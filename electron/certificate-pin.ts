/**
 * Central's certificate pinned at enrolment (host/enrolment.ts), applied to the window's own
 * connections through Electron's `setCertificateVerifyProc`: for central's host name, a chain
 * that does not contain the pinned certificate (central's own, or the CA that issued it) is
 * refused whatever the system trusts; every other host keeps Chromium's own verification.
 * Chromium's codes: 0 accept, -2 refuse, -3 use Chromium's verdict.
 */
export type PinVerdict = 0 | -2 | -3;

/** The DER body of a PEM certificate, whitespace and line breaks removed, for comparison. */
function pemBody(pem: string): string {
  return pem
    .replace(/-----(BEGIN|END) CERTIFICATE-----/g, "")
    .replace(/\s+/g, "")
    .trim();
}

export function pinVerdict(
  hostname: string,
  chainPems: readonly string[],
  pin: { hostname: string; certPem: string } | null,
): PinVerdict {
  if (pin === null || hostname.toLowerCase() !== pin.hostname.toLowerCase()) return -3;
  const pinned = pemBody(pin.certPem);
  if (pinned === "") return -2;
  return chainPems.some((pem) => pemBody(pem) === pinned) ? 0 : -2;
}

/** The PEMs of a certificate and its issuers, leaf first (Electron's `Certificate.issuerCert` chain). */
export function chainOf(cert: { data: string; issuerCert?: unknown }): string[] {
  const out: string[] = [];
  let at: { data: string; issuerCert?: unknown } | undefined = cert;
  for (let i = 0; at !== undefined && i < 10; i++) {
    out.push(at.data);
    const next: unknown = at.issuerCert;
    at =
      typeof next === "object" && next !== null && "data" in next && typeof next.data === "string"
        ? (next as { data: string; issuerCert?: unknown })
        : undefined;
  }
  return out;
}
