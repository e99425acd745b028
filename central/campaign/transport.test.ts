import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hubsOf, scanEvent } from "../demo-events";
import { post, seedCampaignDatabase, startCentral, type CampaignDatabase, type CentralProcess } from "./processes";

/**
 * Central over HTTPS with a self-signed certificate made here with openssl (CENTRAL_TLS_CERT /
 * CENTRAL_TLS_KEY), /metrics behind CENTRAL_METRICS_TOKEN, and /health, on a real process.
 */
function get(
  url: string,
  path: string,
  ca: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, url), { ca, headers }, (res) => {
      let text = "";
      res
        .setEncoding("utf8")
        .on("data", (s: string) => {
          text += s;
        })
        .on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("central over HTTPS, watched", () => {
  let dir = "";
  let world: CampaignDatabase;
  let central: CentralProcess;
  let ca = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tls-"));
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "cert.pem"),
      ],
      { stdio: "ignore" },
    );
    ca = await readFile(join(dir, "cert.pem"), "utf8");
    world = await seedCampaignDatabase("pglite", join(dir, "central"));
    central = await startCentral({
      ...world.env,
      CENTRAL_TLS_CERT: join(dir, "cert.pem"),
      CENTRAL_TLS_KEY: join(dir, "key.pem"),
      CENTRAL_METRICS_TOKEN: "scrape-token-for-the-test",
    });
  });
  afterAll(async () => {
    await central.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("serves HTTPS with the given certificate; a client that does not trust it is refused the handshake", async () => {
    expect(central.url.startsWith("https://")).toBe(true);
    const health = await get(central.url, "/health", ca);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.text)).toMatchObject({
      ok: true,
      parts: { database: { ok: true }, outbox: { ok: true }, mail: { ok: true } },
    });
    await expect(
      new Promise((resolve, reject) => {
        const r = request(new URL("/health", central.url), (res) => resolve(res.statusCode));
        r.on("error", reject);
        r.end();
      }),
    ).rejects.toThrow(/self-signed|certificate/i);
  });

  it("counts pushes in /metrics, which needs the scrape token", async () => {
    const booking = world.bookings[0];
    if (!booking) throw new Error("no booking");
    const events = hubsOf(booking)
      .slice(0, 30)
      .map((h) => scanEvent({ dockId: "DOCK-N1", operatorId: "OP-N-RECV" }, booking.bookingRef, h));
    const body = JSON.stringify({ events });
    const token = world.tokens.docks["DOCK-N1"] ?? "";
    for (let i = 0; i < 2; i++) expect((await post(central.url, "/sync/push", token, body, {}, ca)).status).toBe(200);
    expect((await get(central.url, "/metrics", ca)).status).toBe(403);
    expect(
      (await get(central.url, "/metrics", ca, { authorization: "Bearer wrong-token-of-same-size-xx" })).status,
    ).toBe(403);
    const m = await get(central.url, "/metrics", ca, { authorization: "Bearer scrape-token-for-the-test" });
    expect(m.status).toBe(200);
    const figure = (name: string) =>
      Number(new RegExp(`^${name.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, "m").exec(m.text)?.[1] ?? "NaN");
    const figures = {
      applied: figure('central_pushes_total{how="applied"}'),
      replayed: figure('central_pushes_total{how="replayed"}'),
      accepted: figure('central_push_events_total{result="accepted"}'),
      pending: figure("central_outbox_pending"),
      oldestDue: figure("central_outbox_oldest_due_age_seconds"),
    };
    console.log(
      `watch it run | https, self-signed | 2 pushes of 30 (the second a replay) | /metrics: ${JSON.stringify(figures)}; last contact DOCK-N1 ${/central_dock_last_contact_timestamp_seconds\{dock="DOCK-N1"\}/.test(m.text) ? "present" : "missing"}; open fds ${/central_process_open_fds \d+/.test(m.text) ? "reported" : "missing"}`,
    );
    expect(figures).toEqual({ applied: 1, replayed: 1, accepted: 30, pending: 0, oldestDue: 0 });
    expect(m.text).toMatch(/central_dock_last_contact_timestamp_seconds\{dock="DOCK-N1"\} \d/);
  });
});
