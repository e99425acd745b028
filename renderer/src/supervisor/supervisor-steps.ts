import { manifestCounts } from "../../../shared/domain/manifest";
import type { SupervisorView } from "./supervisor-types";

/**
 * The supervisor's work on one booking as steps in order (issue 18): manifest, labels, load
 * check, ASN, notice, dispatch. Pure: what each step has done, in plain words, and which comes
 * next, from the projected view; the screen shows one step at a time under a step bar.
 */
export type StepId = "manifest" | "labels" | "load" | "asn" | "notice" | "dispatch";

export interface Step {
  id: StepId;
  title: string;
  done: boolean;
  /** One line of what this step shows now (counts, numbers), for the step bar. */
  summary: string;
}

export const STEP_ORDER: readonly StepId[] = ["manifest", "labels", "load", "asn", "notice", "dispatch"];

/** Every step's state; `labelCount` is how many labels the manifest needs (pallets + cartons). */
export function supervisorSteps(view: SupervisorView, labelCount: number): Step[] {
  const m = view.manifest;
  const hubs = m === null ? 0 : manifestCounts(m).hubCount;
  const built = m !== null && view.built !== null;
  const load = view.loadCheck;
  return [
    {
      id: "manifest",
      title: "Manifest",
      done: built,
      summary:
        m === null
          ? "not built"
          : view.built === null
            ? "results changed: rebuild"
            : `${hubs} hubs go back, ${m.excludedHubs.length} left out`,
    },
    {
      id: "labels",
      title: "Labels",
      done: m !== null && labelCount > 0 && view.labelsPrinted >= labelCount,
      summary:
        m === null ? "after the manifest" : `${Math.min(view.labelsPrinted, labelCount)} of ${labelCount} printed`,
    },
    {
      id: "load",
      title: "Load check",
      done: load?.agrees === true,
      summary:
        load === null
          ? "after the manifest"
          : `${load.loadedCount} of ${load.expectedCount} loaded${load.extra.length > 0 ? `, ${load.extra.length} to take off` : ""}`,
    },
    {
      id: "asn",
      title: "ASN",
      done: view.asn !== null,
      summary: view.asn === null ? "not issued" : view.asn.asnNumber,
    },
    {
      id: "notice",
      title: "Notice",
      done: view.noticesIssued > 0,
      summary: view.noticesIssued === 0 ? "not sent" : `${view.noticesIssued} sent`,
    },
    {
      id: "dispatch",
      title: "Dispatch",
      done: view.dispatch !== null,
      summary: view.dispatch === null ? "not dispatched" : `dispatched under ${view.dispatch.asnNumber}`,
    },
  ];
}

/** The step to open: the first one not done (the last when all are). */
export function nextStep(steps: readonly Step[]): StepId {
  return (steps.find((s) => !s.done) ?? steps[steps.length - 1])?.id ?? "manifest";
}
