import { asnCsv, asnJson } from "../../../shared/domain/asn";
import { useDock } from "../store/store-context";
import { download } from "./supervisor-format";

/** Issues the ASN (a new number for every delivery); it downloads as JSON or CSV. */
export function AsnPanel() {
  const view = useDock((s) => s.supervisor);
  const issueAsn = useDock((s) => s.issueAsn);
  if (view === null || view.manifest === null) return null;
  const doc = view.asn?.document ?? null;
  return (
    <section aria-label="ASN" data-testid="asn-panel">
      <h2>Advance shipping notice (ASN)</h2>
      {view.asn === null ? (
        <button type="button" data-testid="issue-asn" onClick={() => void issueAsn()}>
          Issue new ASN
        </button>
      ) : (
        <div data-testid="asn" data-asn={view.asn.asnNumber}>
          ASN <strong>{view.asn.asnNumber}</strong> issued for manifest {view.manifest.manifestId}.
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
    </section>
  );
}
