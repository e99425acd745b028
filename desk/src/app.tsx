import { useEffect, useState, type ReactNode } from "react";
import { api, rememberSession } from "./api";
import {
  ADMIN_TABS,
  navigate,
  pathOf,
  PORTAL_TABS,
  useRoute,
  type AdminTab,
  type PortalTab,
  type Route,
} from "./route";
import { SignIn } from "./pages/sign-in";
import { Setup } from "./pages/setup";
import { Portal } from "./pages/portal";
import { PortalBookings } from "./pages/portal-bookings";
import { PortalDispatchPage } from "./pages/portal-dispatch";
import { PortalForecastPage } from "./pages/portal-forecast";
import { PortalStatement } from "./pages/portal-statement";
import { Account } from "./pages/account";
import { PartiesTab } from "./pages/admin-parties";
import { FacilitiesTab } from "./pages/admin-facilities";
import { DocksTab } from "./pages/admin-docks";
import { OperatorsTab } from "./pages/admin-operators";
import { PeopleTab } from "./pages/admin-people";
import { InventoryTab } from "./pages/admin-inventory";
import { AuditTab } from "./pages/admin-audit";
import { OutboxTab, RequestsTab, WorkOrdersTab } from "./pages/operations";
import { HubLookupTab } from "./pages/hub-lookup";
import { ServiceReportTab } from "./pages/service-report";
import { FirmwareTab } from "./pages/admin-firmware";
import { SmiUpdatesTab } from "./pages/smi-updates";
import { SettingsTab } from "./pages/admin-settings";
import { FailedHubsTab } from "./pages/failed-hubs";
import { OpsBookingsTab, OpsForecastsTab, OpsStatementTab } from "./pages/ops-bookings";
import type { Me } from "../../shared/desk-api";

const PORTAL_LABEL: Record<PortalTab, string> = {
  request: "New request",
  bookings: "Bookings",
  dispatch: "Dispatch document",
  forecast: "Forecast",
  statement: "Statement and faults",
};
const TAB_LABEL: Record<AdminTab, string> = {
  requests: "Requests",
  "work-orders": "Work Orders",
  hubs: "Hub lookup",
  outbox: "Email outbox",
  parties: "Parties",
  facilities: "Facilities",
  docks: "Docks",
  operators: "Operators",
  people: "People",
  inventory: "SMI import",
  audit: "Audit",
  report: "Service report",
  firmware: "Firmware",
  smi: "SMI updates",
  settings: "Business settings",
  "failed-hubs": "Failed hubs",
  bookings: "Bookings",
  forecasts: "Forecasts",
  statements: "Statements",
};
/** DCC operations staff run requests, Work Orders, hub lookup, the outbox and the inventory import; administration is for admins. */
const OPS_TABS: readonly AdminTab[] = [
  "requests",
  "work-orders",
  "hubs",
  "outbox",
  "inventory",
  "report",
  "smi",
  "failed-hubs",
  "bookings",
  "forecasts",
  "statements",
];

function home(me: Me): Route {
  if (me.role === "party-user") return { page: "portal", tab: "request" };
  return { page: "admin", tab: me.role === "dcc-admin" ? "parties" : "requests" };
}

export function App() {
  const route = useRoute();
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  useEffect(() => {
    if (route.page === "setup") {
      setMe(null);
      return;
    }
    void api<Me>("GET", "/me").then((r) => {
      const m = r.ok ? r.data : null;
      rememberSession(m);
      setMe(m);
    });
    // Only once: sign-in and sign-out set `me` themselves.
  }, []);
  const signedIn = (m: Me) => {
    rememberSession(m);
    setMe(m);
    navigate(home(m));
  };
  const signOut = async () => {
    await api("POST", "/sign-out");
    rememberSession(null);
    setMe(null);
    navigate({ page: "sign-in" });
  };

  if (me === undefined)
    return (
      <main className="narrow">
        <p role="status">Loading…</p>
      </main>
    );
  if (route.page === "setup")
    return (
      <Frame me={null} onSignOut={signOut}>
        <Setup token={route.token} onSignedIn={signedIn} />
      </Frame>
    );
  if (me === null)
    return (
      <Frame me={null} onSignOut={signOut}>
        <SignIn onSignedIn={signedIn} />
      </Frame>
    );

  // A page outside this person's role goes to their own home.
  const allowedTabs = me.role === "dcc-admin" ? ADMIN_TABS : me.role === "dcc-ops" ? OPS_TABS : [];
  const misplaced =
    (route.page === "portal" && me.role !== "party-user") ||
    (route.page === "admin" && !allowedTabs.includes(route.tab)) ||
    route.page === "sign-in";
  if (misplaced) return <Redirect to={home(me)} />;

  return (
    <Frame me={me} onSignOut={signOut}>
      {route.page === "account" ? <Account me={me} /> : null}
      {route.page === "portal" ? (
        <div className="admin">
          <SideNav
            label="Portal sections"
            items={PORTAL_TABS.map((t) => ({
              route: { page: "portal", tab: t },
              label: PORTAL_LABEL[t],
              current: route.tab === t,
            }))}
          />
          {route.tab === "request" ? <Portal me={me} /> : null}
          {route.tab === "bookings" ? <PortalBookings /> : null}
          {route.tab === "dispatch" ? <PortalDispatchPage /> : null}
          {route.tab === "forecast" ? <PortalForecastPage /> : null}
          {route.tab === "statement" ? <PortalStatement /> : null}
        </div>
      ) : null}
      {route.page === "admin" ? (
        <div className="admin">
          <SideNav
            label="Desk sections"
            items={allowedTabs.map((t) => ({
              route: { page: "admin", tab: t },
              label: TAB_LABEL[t],
              current: route.tab === t,
            }))}
          />
          <main>
            <h1 className="visually-hidden">DCC desk: {TAB_LABEL[route.tab]}</h1>
            {route.tab === "requests" ? <RequestsTab /> : null}
            {route.tab === "work-orders" ? <WorkOrdersTab /> : null}
            {route.tab === "hubs" ? <HubLookupTab /> : null}
            {route.tab === "outbox" ? <OutboxTab /> : null}
            {route.tab === "parties" ? <PartiesTab /> : null}
            {route.tab === "facilities" ? <FacilitiesTab /> : null}
            {route.tab === "docks" ? <DocksTab /> : null}
            {route.tab === "operators" ? <OperatorsTab /> : null}
            {route.tab === "people" ? <PeopleTab /> : null}
            {route.tab === "inventory" ? <InventoryTab /> : null}
            {route.tab === "audit" ? <AuditTab /> : null}
            {route.tab === "report" ? <ServiceReportTab /> : null}
            {route.tab === "firmware" ? <FirmwareTab /> : null}
            {route.tab === "smi" ? <SmiUpdatesTab /> : null}
            {route.tab === "settings" ? <SettingsTab /> : null}
            {route.tab === "failed-hubs" ? <FailedHubsTab /> : null}
            {route.tab === "bookings" ? <OpsBookingsTab /> : null}
            {route.tab === "forecasts" ? <OpsForecastsTab /> : null}
            {route.tab === "statements" ? <OpsStatementTab /> : null}
          </main>
        </div>
      ) : null}
    </Frame>
  );
}

function SideNav({ label, items }: { label: string; items: Array<{ route: Route; label: string; current: boolean }> }) {
  return (
    <nav aria-label={label}>
      <ul>
        {items.map((i) => (
          <li key={pathOf(i.route)}>
            <a
              href={pathOf(i.route)}
              aria-current={i.current ? "page" : undefined}
              onClick={(e) => {
                e.preventDefault();
                navigate(i.route);
              }}
            >
              {i.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Redirect({ to }: { to: Route }) {
  useEffect(() => navigate(to), [to]);
  return null;
}

function Frame({ me, onSignOut, children }: { me: Me | null; onSignOut: () => Promise<void>; children: ReactNode }) {
  return (
    <>
      <header className="bar">
        {me !== null ? (
          <a
            className="brand"
            href={pathOf(home(me))}
            onClick={(e) => {
              e.preventDefault();
              navigate(home(me));
            }}
          >
            DCC Re-Flash desk
          </a>
        ) : (
          <span className="brand">DCC Re-Flash desk</span>
        )}
        {me !== null ? (
          <span className="who">
            <a
              className="account"
              href="/desk/account"
              onClick={(e) => {
                e.preventDefault();
                navigate({ page: "account" });
              }}
            >
              {me.name} ·{" "}
              {me.role === "party-user"
                ? (me.partyName ?? me.partyId)
                : me.role === "dcc-admin"
                  ? "DCC admin"
                  : "DCC operations"}
            </a>
            <button type="button" className="link" onClick={() => void onSignOut()}>
              Sign out
            </button>
          </span>
        ) : null}
      </header>
      {children}
    </>
  );
}
