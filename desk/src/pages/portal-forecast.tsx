import { useState } from "react";
import { api } from "../api";
import { Field, Notice, RefusalBox, Select, useList, useSubmit } from "../components";
import type { PortalForecast } from "../../../shared/desk-api";

/** The next four six-month periods (D-001: they start on 1 January and 1 July). */
function periods(today = new Date()): string[] {
  const out: string[] = [];
  let y = today.getUTCFullYear();
  let h = today.getUTCMonth() < 6 ? 1 : 2;
  for (let i = 0; i < 4; i++) {
    h += 1;
    if (h > 2) {
      h = 1;
      y += 1;
    }
    out.push(`${y}-${h === 1 ? "01" : "07"}-01`);
  }
  return out;
}

export function PortalForecastPage() {
  const list = useList<PortalForecast>("/portal/forecasts");
  const options = periods();
  const [period, setPeriod] = useState(options[0] ?? "");
  const [hubs, setHubs] = useState("");
  const [saved, setSaved] = useState(false);
  const add = useSubmit(
    () => {
      setSaved(false);
      return api("POST", "/portal/forecasts", { periodStart: period, hubs: Number(hubs) });
    },
    () => {
      setSaved(true);
      list.reload();
    },
  );
  return (
    <main>
      <h1>Six-monthly forecast</h1>
      <p>
        How many Communications Hubs you expect to send for re-flashing in each six-month period. A new forecast for a
        period replaces the one before.
      </p>
      <RefusalBox refusal={list.refusal} />
      <table>
        <caption>
          {list.rows.length} forecast{list.rows.length === 1 ? "" : "s"}
        </caption>
        <thead>
          <tr>
            <th scope="col">Period from</th>
            <th scope="col">Hubs</th>
            <th scope="col">Sent (UTC)</th>
          </tr>
        </thead>
        <tbody>
          {list.rows.map((f) => (
            <tr key={f.periodStart}>
              <td>{f.periodStart}</td>
              <td>{f.hubs}</td>
              <td>{f.submittedAt.slice(0, 16).replace("T", " ")}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form onSubmit={(e) => void add.submit(e)} aria-labelledby="fc-h">
        <h2 id="fc-h">Send a forecast</h2>
        <Select
          label="Period"
          value={period}
          onChange={setPeriod}
          options={options.map((p) => ({ value: p, label: `${p} (six months)` }))}
        />
        <Field label="Hubs expected" type="number" value={hubs} onChange={setHubs} />
        <RefusalBox refusal={add.refusal} />
        {saved ? (
          <Notice>
            <p>Forecast sent.</p>
          </Notice>
        ) : null}
        <button type="submit" disabled={add.busy}>
          Send forecast
        </button>
      </form>
    </main>
  );
}
