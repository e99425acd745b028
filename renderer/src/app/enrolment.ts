import type { DockBridge, HostInfo } from "../../../shared/bridge/channels";

/**
 * Whether the page must enrol the dock before anything else: the host says it has neither a
 * configured token nor an enrolment, and no `token` query parameter (development, e2e) stands in.
 */
export function needsEnrolment(info: HostInfo | null, search: string): boolean {
  return info?.enrolment === "needed" && new URLSearchParams(search).get("token") === null;
}

export type EnrolmentAnswer = { ok: true; message: string } | { ok: false; message: string };

/**
 * Sends the form to the host, which trades the code at central (host/enrolment.ts). The host
 * checks everything and answers a refusal in plain words; a bridge failure is said as plainly.
 */
export async function submitEnrolment(
  bridge: Pick<DockBridge, "invoke">,
  form: { centralUrl: string; dockId: string; code: string },
): Promise<EnrolmentAnswer> {
  if (form.centralUrl.trim() === "" || form.dockId.trim() === "" || form.code.trim() === "")
    return { ok: false, message: "Fill in central's address, this dock's ID and the code from the DCC desk." };
  try {
    const r = await bridge.invoke("enrolment.enrol", {
      centralUrl: form.centralUrl.trim(),
      dockId: form.dockId.trim(),
      code: form.code.trim(),
    });
    return r.ok
      ? { ok: true, message: `Dock ${r.dockId} is enrolled with central (facility ${r.facilityId}).` }
      : { ok: false, message: `Not enrolled: ${r.reason}.` };
  } catch {
    return { ok: false, message: "Not enrolled: the dock's host did not answer; restart the dock and try again." };
  }
}
