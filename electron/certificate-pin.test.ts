import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chainOf, pinVerdict } from "./certificate-pin";

const pem = (body: string) =>
  `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)?.join("\n") ?? ""}\n-----END CERTIFICATE-----\n`;
const base64 = fc.base64String({ minLength: 8, maxLength: 400 }).filter((s) => s.replace(/=/g, "").length > 0);

describe("central's pinned certificate in the Electron window", () => {
  it("accepts central's chain only when it holds the pinned certificate, whatever its line breaks", () => {
    fc.assert(
      fc.property(base64, base64, fc.boolean(), (pinned, other, pinIsCa) => {
        fc.pre(pinned !== other);
        const pin = { hostname: "central.example", certPem: pem(pinned) };
        const withPin = pinIsCa ? [pem(other), pinned.replace(/(.{10})/g, "$1\r\n")] : [pem(pinned)];
        expect(pinVerdict("central.example", withPin, pin)).toBe(0);
        expect(pinVerdict("CENTRAL.example", withPin, pin)).toBe(0);
        expect(pinVerdict("central.example", [pem(other)], pin)).toBe(-2);
        expect(pinVerdict("central.example", [], pin)).toBe(-2);
      }),
    );
  });

  it("leaves every other host, and a dock with no pin, to Chromium's own verification", () => {
    expect(pinVerdict("cdn.example", [pem("AAAA")], { hostname: "central.example", certPem: pem("BBBB") })).toBe(-3);
    expect(pinVerdict("central.example", [pem("AAAA")], null)).toBe(-3);
    expect(pinVerdict("central.example", [pem("AAAA")], { hostname: "central.example", certPem: "" })).toBe(-2);
  });

  it("walks Electron's issuer chain, leaf first, and stops on a loop", () => {
    const root: { data: string; issuerCert?: unknown } = { data: "root" };
    root.issuerCert = root;
    expect(chainOf({ data: "leaf", issuerCert: { data: "ca", issuerCert: root } }).slice(0, 3)).toEqual([
      "leaf",
      "ca",
      "root",
    ]);
    expect(chainOf({ data: "leaf", issuerCert: root }).length).toBe(10);
    expect(chainOf({ data: "leaf" })).toEqual(["leaf"]);
  });
});
