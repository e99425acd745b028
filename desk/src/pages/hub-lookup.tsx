import { useId, useState } from "react";
import { api } from "../api";
import { RefusalBox, useSubmit } from "../components";
import type { OpsHub } from "../../../shared/desk-api";

/** One hub: its SMI record, its bookings and everything that happened to it, oldest first. */
export function HubLookupTab() {
  const inputId = useId();
  const [deviceId, setDeviceId] = useState("");
  const [hub, setHub] = useState<OpsHub | null>(null);
  const look = useSubmit(() => api<OpsHub>("GET", `/ops/hubs/${encodeURIComponent(deviceId.trim())}`), setHub);
  return (
    <section aria-labelledby="hub-h">
      <h2 id="hub-h">Hub lookup</h2>
      <form
        onSubmit={(e) => {
          setHub(null);
          void look.submit(e);
        }}
      >
        <div className="field">
          <label htmlFor={inputId}>Device ID</label>
          <input
            id={inputId}
            value={deviceId}
            onChange={(e) => setDeviceId(e.target.value)}
            placeholder="00-1A-2B-3C-4D-5E-6F-70"
            autoComplete="off"
            required
          />
        </div>
        <RefusalBox refusal={look.refusal} />
        <button type="submit" disabled={look.busy}>
          Look up
        </button>
      </form>
      {hub !== null ? (
        <>
          <h3>{hub.deviceId}</h3>
          <dl>
            <dt>SMI status</dt>
            <dd>{hub.inventory.smiStatus}</dd>
            <dt>Assigned Party</dt>
            <dd>{hub.inventory.assignedParty}</dd>
            <dt>Model / firmware</dt>
            <dd>
              {hub.inventory.deviceModel} / {hub.inventory.firmwareVersion} (manufacturer {hub.inventory.manufacturer})
            </dd>
            <dt>GPF</dt>
            <dd>{hub.inventory.gpfDeviceId}</dd>
            <dt>CSP region</dt>
            <dd>{hub.inventory.cspRegion}</dd>
            <dt>Bookings</dt>
            <dd>{hub.bookings.length === 0 ? "none" : hub.bookings.join(", ")}</dd>
          </dl>
          <table>
            <caption>
              History ({hub.timeline.length} entr{hub.timeline.length === 1 ? "y" : "ies"}, oldest first)
            </caption>
            <thead>
              <tr>
                <th scope="col">When (UTC)</th>
                <th scope="col">Where</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {hub.timeline.map((t, i) => (
                <tr key={i}>
                  <td className="nowrap">{t.at.slice(0, 19).replace("T", " ")}</td>
                  <td>{t.source === "central" ? "central" : `dock ${t.dockId ?? ""}`}</td>
                  <td>{t.actor}</td>
                  <td>{t.action}</td>
                  <td className="detail">{JSON.stringify(t.detail)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}
