import { useDock } from "../store/store-context";

/** The re-delivery notice to the Party (Req 7): re-flashed and failed hubs, date, window and location. */
export function NoticePanel() {
  const view = useDock((s) => s.supervisor);
  const issueNotice = useDock((s) => s.issueNotice);
  if (view === null || view.manifest === null) return null;
  return (
    <section aria-label="re-delivery notice" data-testid="notice-panel">
      <h2>Re-delivery notice</h2>
      <p>
        Tells the Party which hubs come back (re-flashed) and which failed, when, and where:{" "}
        {view.manifest.deliveryLocation.name}.
      </p>
      <button type="button" data-testid="issue-notice" onClick={() => void issueNotice()}>
        {view.noticesIssued === 0 ? "Send the re-delivery notice" : "Send the notice again"}
      </button>
      <span data-testid="notices"> {view.noticesIssued} notice(s) issued for this manifest</span>
    </section>
  );
}
