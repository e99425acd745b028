import { useEffect, useState } from "react";

/** The desk's few pages live under /desk/; central answers every such path with the app. */
export type Route =
  | { page: "sign-in" }
  | { page: "setup"; token: string }
  | { page: "admin"; tab: AdminTab }
  | { page: "portal"; tab: PortalTab }
  | { page: "account" };
export const PORTAL_TABS = ["request", "bookings", "dispatch", "forecast", "statement"] as const;
export type PortalTab = (typeof PORTAL_TABS)[number];
export const ADMIN_TABS = [
  "requests",
  "work-orders",
  "hubs",
  "outbox",
  "parties",
  "facilities",
  "docks",
  "operators",
  "people",
  "inventory",
  "audit",
  "report",
  "firmware",
  "smi",
  "settings",
  "failed-hubs",
  "bookings",
  "forecasts",
  "statements",
] as const;
export type AdminTab = (typeof ADMIN_TABS)[number];

export function parseRoute(pathname: string, hash: string): Route {
  const path = pathname.replace(/^\/desk\/?/, "").replace(/\/$/, "");
  if (path === "setup") return { page: "setup", token: new URLSearchParams(hash.replace(/^#/, "")).get("token") ?? "" };
  if (path === "account") return { page: "account" };
  const portal = /^portal(?:\/([a-z]+))?$/.exec(path);
  if (portal)
    return {
      page: "portal",
      tab: (PORTAL_TABS as readonly string[]).includes(portal[1] ?? "") ? (portal[1] as PortalTab) : "request",
    };
  const m = /^admin(?:\/([a-z-]+))?$/.exec(path);
  if (m) {
    const tab = (ADMIN_TABS as readonly string[]).includes(m[1] ?? "") ? (m[1] as AdminTab) : "parties";
    return { page: "admin", tab };
  }
  return { page: "sign-in" };
}

export function pathOf(r: Route): string {
  if (r.page === "admin") return `/desk/admin/${r.tab}`;
  if (r.page === "portal") return r.tab === "request" ? "/desk/portal" : `/desk/portal/${r.tab}`;
  if (r.page === "account") return "/desk/account";
  if (r.page === "setup") return "/desk/setup";
  return "/desk/";
}

export function navigate(r: Route): void {
  history.pushState(null, "", pathOf(r));
  window.dispatchEvent(new PopStateEvent("popstate"));
  // A new page starts at its top, as a full page load would.
  window.scrollTo(0, 0);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.pathname, location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.pathname, location.hash));
    window.addEventListener("popstate", on);
    return () => window.removeEventListener("popstate", on);
  }, []);
  return route;
}
