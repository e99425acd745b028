import { STATUS_CODES, type IncomingMessage, type Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import { BRIDGE_PROTOCOL_VERSION, type BridgeEventName } from "../shared/bridge/channels";
import { createBridgeDispatcher } from "../shared/bridge/dispatch";
import {
  BRIDGE_CLOSE,
  encodeFrame,
  MAX_FRAME_CHARS,
  parseClientFrame,
  type HostFrame,
} from "../shared/bridge/protocol";
import type { HostServices } from "./host-services";
import { readCookie, sameToken } from "./launch-token";

/**
 * The browser shell's bridge transport: a WebSocket endpoint on the shell's own HTTP
 * server. Only the page the shell served may drive it:
 *  - the upgrade must carry the shell's own Origin and Host (another web page, or a
 *    DNS-rebound name, is refused with 403 before any socket exists) and the launch
 *    cookie (./launch-token.ts: another local process is refused the same way);
 *  - the first frame must be a `hello` with the per-launch secret the shell injected into
 *    that page (another local process cannot read it), else the socket is closed with a
 *    4xxx code and a reason;
 *  - every frame after that is validated against the channel map; a bad one is answered
 *    with an error and changes nothing.
 */

export const BRIDGE_PATH = "/bridge";

export interface BridgeServerOptions {
  server: Server;
  secret: string;
  /** The launch cookie the upgrade must carry, by name, and whether a value is a session of this launch (see ./launch-token.ts). */
  launchCookie: () => { name: string; admits: (value: string | null) => boolean };
  /** Origins allowed to connect; read at each upgrade (the port is known only after listen). */
  allowedOrigins: () => readonly string[];
  /** Host header values allowed (DNS-rebinding guard). */
  allowedHosts: () => readonly string[];
  services: Pick<HostServices, "handlers" | "subscribe">;
  helloTimeoutMs?: number;
  log?: (message: string) => void;
}

export interface BridgeServer {
  /** Connections that passed the handshake. */
  clientCount(): number;
  close(): Promise<void>;
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.isBuffer(data) ? data.toString("utf8") : Buffer.from(data).toString("utf8");
}

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  const body = `${reason}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Refused"}\r\n` +
      "Connection: close\r\nContent-Type: text/plain; charset=utf-8\r\n" +
      `X-Dock-Bridge-Refused: ${reason.replace(/[^\x20-\x7e]/g, "?")}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** Binds the bridge to `server`'s upgrade requests on BRIDGE_PATH. */
export function attachBridgeServer(options: BridgeServerOptions): BridgeServer {
  const log = options.log ?? (() => undefined);
  const helloTimeoutMs = options.helloTimeoutMs ?? 5000;
  const dispatch = createBridgeDispatcher(options.services.handlers);
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_CHARS, perMessageDeflate: false });
  const greeted = new Set<WebSocket>();

  function send(ws: WebSocket, frame: HostFrame): void {
    if (ws.readyState === ws.OPEN) ws.send(encodeFrame(frame));
  }

  const unsubscribe = options.services.subscribe((event: BridgeEventName, payload: unknown) => {
    for (const ws of greeted) send(ws, { type: "event", event, payload });
  });

  function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? "").split("?", 1)[0];
    if (path !== BRIDGE_PATH) return refuseUpgrade(socket, 404, `no WebSocket endpoint at ${path ?? ""}`);
    const origin = req.headers.origin;
    if (origin === undefined || !options.allowedOrigins().includes(origin)) {
      log(`bridge: refused a connection from origin ${origin ?? "(none)"}`);
      return refuseUpgrade(socket, 403, `origin ${origin ?? "(none)"} is not this shell's origin`);
    }
    const host = req.headers.host;
    if (host === undefined || !options.allowedHosts().includes(host)) {
      return refuseUpgrade(socket, 403, `host ${host ?? "(none)"} is not this shell`);
    }
    const cookie = options.launchCookie();
    if (!cookie.admits(readCookie(req.headers.cookie, cookie.name))) {
      return refuseUpgrade(
        socket,
        403,
        "this page was not opened through this launch's URL; open the URL the host printed",
      );
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
  }

  function onConnection(ws: WebSocket): void {
    const helloTimer = setTimeout(
      () => ws.close(BRIDGE_CLOSE.helloTimeout, "no hello received in time"),
      helloTimeoutMs,
    );
    ws.on("close", () => {
      clearTimeout(helloTimer);
      greeted.delete(ws);
    });
    ws.on("error", (err) => log(`bridge: socket error ${err.message}`));
    ws.on("message", (data: RawData, isBinary: boolean) => {
      const text = isBinary ? null : rawText(data);
      if (!greeted.has(ws)) {
        clearTimeout(helloTimer);
        const parsed = text === null ? null : parseClientFrame(text);
        if (parsed === null || !parsed.ok || parsed.frame.type !== "hello") {
          return ws.close(BRIDGE_CLOSE.expectedHello, "the first frame must be a hello");
        }
        if (!sameToken(options.secret, parsed.frame.secret)) {
          log("bridge: refused a hello with the wrong secret");
          return ws.close(BRIDGE_CLOSE.badSecret, "wrong bridge secret");
        }
        if (parsed.frame.protocol !== BRIDGE_PROTOCOL_VERSION) {
          return ws.close(
            BRIDGE_CLOSE.badProtocol,
            `bridge protocol ${parsed.frame.protocol} is not ${BRIDGE_PROTOCOL_VERSION}; reload the page`,
          );
        }
        greeted.add(ws);
        return send(ws, { type: "welcome", protocol: BRIDGE_PROTOCOL_VERSION });
      }
      if (text === null)
        return send(ws, {
          type: "error",
          error: { code: "bad-request", message: "bad-request: binary frames are not part of the bridge" },
        });
      const parsed = parseClientFrame(text);
      if (!parsed.ok) {
        if (parsed.requestId !== null)
          return send(ws, { type: "response", id: parsed.requestId, ok: false, error: parsed.error });
        return send(ws, { type: "error", error: parsed.error });
      }
      const frame = parsed.frame;
      if (frame.type === "hello")
        return send(ws, { type: "error", error: { code: "bad-request", message: "bad-request: already greeted" } });
      void dispatch(frame.channel, frame.args).then((outcome) =>
        send(
          ws,
          outcome.ok
            ? { type: "response", id: frame.id, ok: true, result: outcome.result }
            : { type: "response", id: frame.id, ok: false, error: outcome.error },
        ),
      );
    });
  }

  options.server.on("upgrade", onUpgrade);

  return {
    clientCount: () => greeted.size,
    async close() {
      unsubscribe();
      options.server.off("upgrade", onUpgrade);
      for (const ws of wss.clients) ws.close(BRIDGE_CLOSE.shuttingDown, "host shutting down");
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      for (const ws of wss.clients) ws.terminate();
    },
  };
}
