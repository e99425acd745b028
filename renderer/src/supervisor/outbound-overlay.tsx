import { useDock } from "../store/store-context";
import { ScanVerdictOverlay } from "../components/verdict-overlay";

/** The load check's full-screen verdict: the same overlay and rules as receiving's. */
export function OutboundOverlay() {
  const last = useDock((s) => s.outboundLast);
  const pending = useDock((s) => s.outboundError);
  const held = useDock((s) => s.outboundQueue.length);
  const acknowledge = useDock((s) => s.acknowledgeOutbound);
  return (
    <ScanVerdictOverlay
      last={last}
      pending={pending}
      held={held}
      acknowledge={acknowledge}
      label="load scan error"
      testId="outbound-verdict-error"
    />
  );
}
