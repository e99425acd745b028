import { CspSchema, type DockSite } from "../../../shared/domain/booking";
import { DEFAULT_SITE_TIME_ZONE, isTimeZone } from "../../../shared/domain/site-clock";
import type { HostInfo } from "../../../shared/bridge/channels";
import { DEFAULT_UNSENT_ALARM_MS } from "../../../shared/domain/unsent-alarm";

/** Where this renderer is and whom it talks to, decided once at start-up. */
export interface BootConfig {
  dockId: string;
  site: DockSite;
  siteName: string;
  centralUrl: string;
  /** The dock's device token for central (query `token`, then the host's configured one, then the one stored on this PC). */
  token: string | null;
  shell: "browser" | "electron" | "none";
  /** The unsent-event alarm's threshold (the host's DOCK_UNSENT_ALARM_SECONDS, else 10 minutes). */
  unsentAlarmMs: number;
}

/**
 * The host's own answer (bridge `host.info`) wins over defaults; query parameters
 * (`central`, `dock`, `facility`, `csp`, `production`, `tz`, `token`) override both, which is
 * how development and the e2e tests point a page at their own central.
 */
export function resolveBootConfig(search: string, info: HostInfo | null, storedToken: string | null): BootConfig {
  const q = new URLSearchParams(search);
  const site = info?.site as (HostInfo["site"] & { production?: boolean; timeZone?: string }) | undefined;
  // The site's zone: query `tz`, then the host's, then GB's; a name the tz database does not know falls back to GB's.
  const tz = q.get("tz") ?? site?.timeZone ?? DEFAULT_SITE_TIME_ZONE;
  const csp = CspSchema.safeParse(q.get("csp") ?? site?.csp ?? "North");
  const production = q.get("production");
  return {
    dockId: q.get("dock") ?? info?.dockId ?? "dock-dev-1",
    site: {
      facilityId: q.get("facility") ?? site?.facilityId ?? "FAC-DEV",
      csp: csp.success ? csp.data : "North",
      production: production !== null ? production === "true" : (site?.production ?? false),
      timeZone: isTimeZone(tz) ? tz : DEFAULT_SITE_TIME_ZONE,
    },
    siteName: site?.name ?? "Dock",
    centralUrl: q.get("central") ?? info?.centralUrl ?? "http://127.0.0.1:4010",
    token: q.get("token") ?? info?.centralToken ?? storedToken,
    shell: info?.shell ?? "none",
    unsentAlarmMs: info?.unsentAlarmMs ?? DEFAULT_UNSENT_ALARM_MS,
  };
}
