import { RefusalBox, useList } from "../components";
import type { DeskAuditRow } from "../../../shared/desk-api";

export function AuditTab() {
  const list = useList<DeskAuditRow>("/audit");
  return (
    <section aria-labelledby="audit-h">
      <h2 id="audit-h">Desk audit</h2>
      <p>Every sign-in, failed sign-in and administrative change, newest first (the last 200).</p>
      <RefusalBox refusal={list.refusal} />
      <table>
        <caption>{list.rows.length} entries</caption>
        <thead>
          <tr>
            <th scope="col">When (UTC)</th>
            <th scope="col">Who</th>
            <th scope="col">What</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {list.rows.map((r) => (
            <tr key={r.seq}>
              <td>{r.at.slice(0, 19).replace("T", " ")}</td>
              <td>{r.actor}</td>
              <td>{r.action}</td>
              <td className="detail">{JSON.stringify(r.detail)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
