import { asnCsv, asnJson } from "../../../shared/domain/asn";
import { useDock } from "../store/store-context";
import { download } from "./supervisor-format";

/** Issues the ASN and the re-delivery notice; the ASN downloads as JSON or CSV. */
export function AsnPanel() {
  const view = useDock((s) => s.supervisor);
  const issueAsn = useDock((s) => s.issueAsn);
  const issueNotice = useDock((s) => s.issueNotice);
  if (view === null || view.manifest === null) return null;
  const doc = view.asn?.document ?? null;
  return (
    <section aria-label="ASN and notice" data-testid="asn-panel">
      <h2>ASN and re-delivery notice</h2>
      {view.asn === null ? (
        <button type="button" data-testid="issue-asn" onClick={() => void issueAsn()}>
          Issue new ASN
        </button>
      ) : (
        <div data-testid="asn" data-asn={view.asn.asnNumber}>
          ASN <strong>{view.asn.asnNumber}</strong> (SHA-256 {view.asn.documentSha256.slice(0, 16)}...)
          {doc && (
            <>
              <button type="button" onClick={() => download(`${doc.asnNumber}.json`, "application/json", asnJson(doc))}>
                Download JSON
              </button>
              <button type="button" onClick={() => download(`${doc.asnNumber}.csv`, "text/csv", asnCsv(doc))}>
                Download CSV
              </button>
            </>
          )}
        </div>
      )}
      <p>
        <button type="button" data-testid="issue-notice" onClick={() => void issueNotice()}>
          {view.noticesIssued === 0 ? "Issue re-delivery notice" : "Re-issue re-delivery notice"}
        </button>
        <span data-testid="notices"> {view.noticesIssued} notice(s) issued for this manifest</span>
      </p>
    </section>
  );
}
