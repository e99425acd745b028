/**
 * The renderer's Content-Security-Policy in Electron. The page is our own bundle and talks
 * to exactly two things: the host, over IPC (no network at all), and the central service
 * (the sync client's fetch). So: nothing inline, no eval (WebAssembly may compile: the
 * carton-face decoder, a .wasm file of our bundle), no plugins, no frames, and the
 * network limited to central's origin. It is sent as a response header on every response
 * of our session, and repeated as a <meta> tag in index.html in case a response ever
 * reaches the page without passing the header hook.
 */

export interface CspOptions {
  /** The central service's base URL (HostConfig.centralUrl); only its origin is allowed for fetch. */
  centralUrl: string;
}

/** The central origin for connect-src; never throws (a bad URL simply allows nothing extra). */
function centralOrigin(centralUrl: string): string | null {
  try {
    const url = new URL(centralUrl);
    return url.protocol === "http:" || url.protocol === "https:" ? url.origin : null;
  } catch {
    return null;
  }
}

/** The directives, in a fixed order; `forMeta` drops those a <meta> policy may not carry. */
export function cspDirectives(options: CspOptions, forMeta = false): Array<[string, string[]]> {
  const self = ["'self'"];
  const central = centralOrigin(options.centralUrl);
  const directives: Array<[string, string[]]> = [
    ["default-src", ["'none'"]],
    // WebAssembly compilation only (the carton-face decoder, our own bundled .wasm): still no eval of JavaScript.
    ["script-src", ["'self'", "'wasm-unsafe-eval'"]],
    ["style-src", self],
    // jsbarcode renders labels as data: images; camera frames may be drawn to blob: URLs.
    ["img-src", ["'self'", "data:", "blob:"]],
    ["font-src", self],
    ["media-src", ["'self'", "blob:", "mediastream:"]],
    ["connect-src", central === null ? self : ["'self'", central]],
    ["worker-src", self],
    ["manifest-src", self],
    ["frame-src", ["'none'"]],
    ["object-src", ["'none'"]],
    ["base-uri", ["'none'"]],
    ["form-action", ["'none'"]],
  ];
  // frame-ancestors is ignored (with a console warning) when delivered in a <meta> tag.
  if (!forMeta) directives.push(["frame-ancestors", ["'none'"]]);
  return directives;
}

/** The policy as one header value. */
export function contentSecurityPolicy(options: CspOptions, forMeta = false): string {
  return cspDirectives(options, forMeta)
    .map(([name, sources]) => `${name} ${sources.join(" ")}`)
    .join("; ");
}

/**
 * Response headers with our CSP set, replacing any CSP header the response carried (names
 * compared case-insensitively, as HTTP does). Applied to every response of the window's
 * session: on our documents it is the policy; should any other document ever load (navigation
 * is blocked, this is the second wall) it runs under the same strict policy, not a looser one.
 */
export function withCspHeader(headers: Record<string, string[]> | undefined, csp: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== "content-security-policy") out[name] = value;
  }
  out["Content-Security-Policy"] = [csp];
  return out;
}

/** index.html with the policy as the first element of <head> (the meta fallback). */
export function injectCspMeta(html: string, csp: string): string {
  const tag = `<meta http-equiv="Content-Security-Policy" content="${csp.replace(/"/g, "&quot;")}">`;
  const head = html.search(/<head[^>]*>/i);
  if (head === -1) return `${tag}\n${html}`;
  const end = html.indexOf(">", head) + 1;
  return `${html.slice(0, end)}\n    ${tag}${html.slice(end)}`;
}
