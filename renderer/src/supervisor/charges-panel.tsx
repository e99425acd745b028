import { useEffect, useState } from "react";
import { formatMoney } from "../../../shared/domain/charges";
import { useDock } from "../store/store-context";
import { localDate } from "./supervisor-slice";
import { SITE_CONFIG } from "./site-config";

/** The charges per Party for a period (rates are site configuration). */
export function ChargesPanel() {
  const statements = useDock((s) => s.chargesStatements);
  const load = useDock((s) => s.loadCharges);
  // The dock's date when the panel opened (reading the clock while rendering would make a render impure).
  const timeZone = useDock((s) => s.siteTimeZone);
  const [today] = useState(() => localDate(Date.now(), timeZone));
  const [from, setFrom] = useState(`${today.slice(0, 8)}01`);
  const [to, setTo] = useState(today);
  useEffect(() => {
    void load({ from, to });
  }, [load, from, to]);
  return (
    <section aria-label="charges" data-testid="charges">
      <h2>Charges per Party</h2>
      <p className="rule">
        Rates ({SITE_CONFIG.charges.currency}) are this site&apos;s settings; ask the DCC to change them.
      </p>
      <label>
        From <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
      </label>
      <label>
        To <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
      </label>
      {statements.length === 0 && <p>No re-flash results in this period.</p>}
      {statements.map((st) => (
        <table key={st.partyId} data-testid={`statement-${st.partyId}`}>
          <caption>
            {st.partyName} ({st.partyId}): {st.counts.reflashed} re-flashed, {st.counts.notReflashable} not re-flashable
          </caption>
          <thead>
            <tr>
              <th scope="col">Charge or credit</th>
              <th scope="col">Hubs</th>
              <th scope="col">Rate</th>
              <th scope="col">Amount</th>
            </tr>
          </thead>
          <tbody>
            {st.lines.map((l) => (
              <tr key={l.code}>
                <td>{l.description}</td>
                <td>{l.quantity}</td>
                <td>{formatMoney(l.unitMinor, st.currency)}</td>
                <td>
                  {l.direction === "credit" ? "-" : ""}
                  {formatMoney(l.amountMinor, st.currency)}
                </td>
              </tr>
            ))}
            <tr>
              <th colSpan={3}>Net</th>
              <th>{formatMoney(st.totals.netMinor, st.currency)}</th>
            </tr>
            {st.unpriced.length > 0 && (
              <tr>
                <td colSpan={4}>{st.unpriced.length} hub(s) unpriced (HAN variant unknown at the dock)</td>
              </tr>
            )}
          </tbody>
        </table>
      ))}
    </section>
  );
}
