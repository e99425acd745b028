import { useEffect, useState } from "react";
import { decideUnsentAlarm } from "../../../shared/domain/unsent-alarm";
import { useDock } from "../store/store-context";

/**
 * The unsent-event alarm (issue 21), on every screen: shown while the oldest unsent event has not
 * moved for the configured time (the decision and its words: shared/domain/unsent-alarm.ts), gone
 * as soon as it moves. Re-decided every second, so it appears on time even between sync rounds.
 */
export function UnsentAlarmBanner(props: { timeZone?: string }) {
  const h = useDock((s) => s.syncHealth);
  const watch = useDock((s) => s.unsentWatch);
  const thresholdMs = useDock((s) => s.unsentAlarmMs);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  if (h === null) return null;
  const alarm = decideUnsentAlarm({ ...h, watch, now, thresholdMs, timeZone: props.timeZone });
  if (!alarm.raised) return null;
  return (
    <div className="unsent-alarm" role="alert" data-testid="unsent-alarm">
      {alarm.message}
    </div>
  );
}
