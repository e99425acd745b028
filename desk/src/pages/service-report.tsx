import { useEffect, useState } from "react";
import { api } from "../api";
import { Field, RefusalBox, useSubmit } from "../components";
import { GroupedBarChart, LineChart } from "../charts";
import type { ServiceReport } from "../../../shared/domain/service-report";

const iso = (d: Date) => d.toISOString().slice(0, 10);
const pct = (v: number) => `${v.toFixed(1)} %`;
const hrs = (v: number | null) => (v === null ? "–" : `${v.toFixed(1)} h`);

function lastDays(n: number, today = new Date()): { from: string; to: string } {
  return { from: iso(new Date(today.getTime() - (n - 1) * 86_400_000)), to: iso(today) };
}

/**
 * The CSPs' service report: per site and Party, hubs received, re-flashed and failed and their
 * turnaround; per jig, yield by day; per slot, failure rate with a slot that stands out flagged
 * (the rule is central's, shown in words). Charts with a table beneath each; CSV downloads.
 */
export function ServiceReportTab() {
  const initial = lastDays(30);
  const [from, setFrom] = useState(initial.from);
  const [to, setTo] = useState(initial.to);
  const [report, setReport] = useState<ServiceReport | null>(null);
  const query = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
  const show = useSubmit(() => api<ServiceReport>("GET", `/report/service?${query}`), setReport);
  useEffect(() => {
    void show.submit();
    // Once, with the default period; afterwards the form asks.
  }, []);

  return (
    <>
      <h2>Service report</h2>
      <form onSubmit={(e) => void show.submit(e)} aria-label="Report period">
        <div className="grid">
          <Field label="From" type="date" value={from} onChange={setFrom} />
          <Field label="To" type="date" value={to} onChange={setTo} />
        </div>
        <RefusalBox refusal={show.refusal} />
        <button type="submit" disabled={show.busy}>
          Show report
        </button>
      </form>
      {report !== null ? <Report report={report} /> : null}
    </>
  );
}

function Report({ report }: { report: ServiceReport }) {
  const q = `from=${report.from}&to=${report.to}`;
  const sites = report.sites;
  const siteLabel = sites.map((s) => `${s.facilityId} · ${s.partyId}`);
  const flagged = report.jigs.flatMap((j) => j.slots.filter((s) => s.flagged).map((s) => ({ j, s })));
  const days = [...new Set(report.jigs.flatMap((j) => j.days.map((d) => d.day)))].sort();
  const totals = sites.reduce(
    (t, s) => ({
      received: t.received + s.received,
      reflashed: t.reflashed + s.reflashed,
      failed: t.failed + s.failed,
    }),
    { received: 0, reflashed: 0, failed: 0 },
  );
  return (
    <>
      <p role="status">
        {report.from} to {report.to}: {totals.received} hubs received, {totals.reflashed} re-flashed, {totals.failed}{" "}
        failed;{" "}
        {flagged.length === 0
          ? "no slot stands out"
          : `${flagged.length} slot${flagged.length === 1 ? "" : "s"} flagged`}
        .
      </p>
      <p className="downloads">
        Download CSV: <a href={`/desk/api/report/service/sites.csv?${q}`}>sites and Parties</a> ·{" "}
        <a href={`/desk/api/report/service/days.csv?${q}`}>jig yield by day</a> ·{" "}
        <a href={`/desk/api/report/service/slots.csv?${q}`}>slots</a>
      </p>

      <section aria-labelledby="sr-sites">
        <h3 id="sr-sites">By site and Party</h3>
        {sites.length === 0 ? (
          <p>No hubs were received, re-flashed or re-delivered in this period.</p>
        ) : (
          <div className="charts">
            <GroupedBarChart
              title="Hubs received, re-flashed and failed, by site and Party"
              summary={sites
                .map((s, i) => `${siteLabel[i]}: ${s.received} received, ${s.reflashed} re-flashed, ${s.failed} failed`)
                .join("; ")}
              categories={siteLabel}
              series={[
                { name: "Received", values: sites.map((s) => s.received) },
                { name: "Re-flashed", values: sites.map((s) => s.reflashed) },
                { name: "Failed", values: sites.map((s) => s.failed) },
              ]}
            />
            <GroupedBarChart
              title="Turnaround from arrival to re-delivery (hours), by site and Party"
              summary={sites
                .map(
                  (s, i) =>
                    `${siteLabel[i]}: median ${hrs(s.turnaroundMedianHours)}, 90th percentile ${hrs(s.turnaroundP90Hours)} over ${s.redelivered} hubs`,
                )
                .join("; ")}
              categories={siteLabel}
              series={[
                { name: "Median", values: sites.map((s) => s.turnaroundMedianHours) },
                { name: "90th percentile", values: sites.map((s) => s.turnaroundP90Hours) },
              ]}
              format={(v) => `${Math.round(v * 10) / 10} h`}
            />
          </div>
        )}
      </section>

      <section aria-labelledby="sr-jigs">
        <h3 id="sr-jigs">By jig and slot</h3>
        <p className="hint">{report.rule}</p>
        {report.jigs.length === 0 ? (
          <p>No flash attempts in this period.</p>
        ) : (
          <>
            {flagged.length > 0 ? (
              <div className="refusal" role="note">
                <p>Slots that stand out:</p>
                <ul>
                  {flagged.map(({ j, s }) => (
                    <li key={`${j.facilityId}/${j.jigId}/${s.slot}`}>
                      <strong>
                        {j.jigId} slot {s.slot}
                      </strong>{" "}
                      ({j.facilityId}): {s.failures} of {s.attempts} failed ({pct(s.failureRate * 100)}), the jig&apos;s
                      other slots {pct(s.othersRate * 100)}; p = {s.pValue?.toPrecision(2)}
                    </li>
                  ))}
                </ul>
              </div>
            ) : null}
            <div className="charts">
              <LineChart
                title="Yield by day, per jig (% of flash attempts that succeeded)"
                summary={report.jigs
                  .map(
                    (j) =>
                      `${j.jigId} at ${j.facilityId}: ${pct(j.yield * 100)} over ${j.attempts} attempts in ${j.days.length} days`,
                  )
                  .join("; ")}
                points={days}
                series={report.jigs.map((j) => ({
                  name: `${j.jigId} (${j.facilityId})`,
                  values: days.map((d) => {
                    const x = j.days.find((y) => y.day === d);
                    return x === undefined ? null : x.yield * 100;
                  }),
                }))}
                yDomain={[0, 100]}
                format={(v) => `${Math.round(v)} %`}
              />
              {report.jigs.map((j) => (
                <GroupedBarChart
                  key={`${j.facilityId}/${j.jigId}`}
                  title={`Failure rate by slot, ${j.jigId} (${j.facilityId})`}
                  summary={`${j.attempts} attempts, ${j.failures} failed (${pct((j.failures / Math.max(1, j.attempts)) * 100)}). ${
                    j.slots.some((s) => s.flagged)
                      ? `Flagged: ${j.slots
                          .filter((s) => s.flagged)
                          .map((s) => `slot ${s.slot} (${s.failures} of ${s.attempts})`)
                          .join(", ")}.`
                      : "No slot stands out."
                  }`}
                  categories={j.slots.map((s) => `Slot ${s.slot}`)}
                  series={[{ name: "Failure rate", values: j.slots.map((s) => s.failureRate * 100) }]}
                  format={(v) => `${Math.round(v * 10) / 10} %`}
                  mark={(_, ci) => (j.slots[ci]?.flagged ? "flagged" : null)}
                  reference={{
                    value: (j.failures / Math.max(1, j.attempts)) * 100,
                    label: `jig ${pct((j.failures / Math.max(1, j.attempts)) * 100)}`,
                  }}
                  height={240}
                />
              ))}
            </div>
          </>
        )}
      </section>

      {sites.length > 0 ? (
        <table>
          <caption>
            Sites and Parties, {report.from} to {report.to}
          </caption>
          <thead>
            <tr>
              <th scope="col">Facility</th>
              <th scope="col">Party</th>
              <th scope="col">Received</th>
              <th scope="col">Re-flashed</th>
              <th scope="col">Failed</th>
              <th scope="col">Re-delivered</th>
              <th scope="col">Turnaround median</th>
              <th scope="col">Turnaround p90</th>
            </tr>
          </thead>
          <tbody>
            {sites.map((s) => (
              <tr key={`${s.facilityId}/${s.partyId}`}>
                <td>{s.facilityId}</td>
                <td>{s.partyId}</td>
                <td>{s.received}</td>
                <td>{s.reflashed}</td>
                <td>{s.failed}</td>
                <td>{s.redelivered}</td>
                <td>{hrs(s.turnaroundMedianHours)}</td>
                <td>{hrs(s.turnaroundP90Hours)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}
