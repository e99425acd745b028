import {
  createBridgeClient,
  type BridgeClient,
  type BridgeConnectionState,
  type BridgeSocket,
  type CloseInfo,
} from "../../shared/bridge/client";
import { BRIDGE_CLOSE, BridgeSecretSchema } from "../../shared/bridge/protocol";

/**
 * The browser shell's side of the bridge in the page: a `DockBridge` over a WebSocket to
 * the host that served this page. The host injected a per-launch secret into index.html
 * (`<meta name="dock-bridge-secret">`); the first frame carries it. After the host
 * restarts (new secret, "wrong secret" close) the page re-reads it from a fresh copy of
 * index.html (same origin, so only this page can), and reconnects with backoff.
 * In Electron the preload hands over `window.dock` instead and none of this runs.
 */

export const SECRET_META_NAME = "dock-bridge-secret";
export const BRIDGE_PATH = "/bridge";

/** The browser objects connectBridge uses; tests pass fakes (vitest runs without a DOM). */
export interface BrowserEnvironment {
  location: { protocol: string; host: string; href: string };
  document: { querySelector(selector: string): { getAttribute(name: string): string | null } | null };
  WebSocket: new (url: string) => BrowserSocketLike;
  fetch: (
    url: string,
    init: { cache: "no-store"; credentials: "same-origin" },
  ) => Promise<{ ok: boolean; text(): Promise<string> }>;
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (handle: never) => void;
}

/** The part of the DOM WebSocket used here. */
export interface BrowserSocketLike {
  onopen: (() => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  send(text: string): void;
  close(code?: number, reason?: string): void;
}

export interface ConnectBridgeOptions {
  environment?: BrowserEnvironment;
  onState?: (state: BridgeConnectionState) => void;
  backoff?: { initialMs: number; maxMs: number };
}

function browserEnvironment(): BrowserEnvironment {
  return {
    location: window.location,
    document,
    WebSocket: window.WebSocket as unknown as BrowserEnvironment["WebSocket"],
    fetch: (url, init) => window.fetch(url, init),
    setTimeout: (fn, ms) => window.setTimeout(fn, ms),
    clearTimeout: (handle) => window.clearTimeout(handle),
  };
}

/** The secret in an index.html text, or null. */
export function secretFromHtml(html: string): string | null {
  const match = new RegExp(`<meta\\s+name="${SECRET_META_NAME}"\\s+content="([^"]*)"`, "i").exec(html);
  const parsed = BridgeSecretSchema.safeParse(match?.[1]);
  return parsed.success ? parsed.data : null;
}

/** Connects to the host that served this page; resolves once the first handshake succeeded. */
export async function connectBridge(options: ConnectBridgeOptions = {}): Promise<BridgeClient> {
  const env = options.environment ?? browserEnvironment();
  const fromPage = BridgeSecretSchema.safeParse(
    env.document.querySelector(`meta[name="${SECRET_META_NAME}"]`)?.getAttribute("content"),
  );
  if (!fromPage.success) {
    throw new Error(
      `this page carries no bridge secret (meta ${SECRET_META_NAME}): open the URL the dock host printed, not the files`,
    );
  }
  let secret = fromPage.data;
  const url = `${env.location.protocol === "https:" ? "wss:" : "ws:"}//${env.location.host}${BRIDGE_PATH}`;

  async function currentSecret(lastClose: CloseInfo | null): Promise<string> {
    if (lastClose?.code !== BRIDGE_CLOSE.badSecret) return secret;
    // The host restarted with a new secret: read it from a fresh copy of our own page.
    const res = await env.fetch(new URL("./", env.location.href).href, {
      cache: "no-store",
      credentials: "same-origin",
    });
    const fresh = res.ok ? secretFromHtml(await res.text()) : null;
    if (fresh !== null) secret = fresh;
    return secret;
  }

  const client = createBridgeClient({
    secret: currentSecret,
    timers: { set: (fn, ms) => env.setTimeout(fn, ms), clear: (h) => env.clearTimeout(h as never) },
    ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
    ...(options.onState === undefined ? {} : { onState: options.onState }),
    onProblem: (message, err) => console.warn(`dock bridge: ${message}`, err ?? ""),
    openSocket(events): BridgeSocket {
      const ws = new env.WebSocket(url);
      ws.onopen = () => events.open();
      ws.onmessage = (ev) => {
        if (typeof ev.data === "string") events.message(ev.data);
      };
      ws.onclose = (ev) => events.close(ev.code, ev.reason);
      return { send: (t) => ws.send(t), close: (c, r) => ws.close(c, r) };
    },
  });
  await client.ready();
  return client;
}
