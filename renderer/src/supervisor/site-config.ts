import { EXAMPLE_CHARGES_CONFIG, type ChargesConfig } from "../../../shared/domain/charges";
import { EXAMPLE_WORKING_HOURS, type WorkingHoursConfig } from "../../../shared/domain/working-hours";
import type { LabelAddress } from "../../labels/logistics-label";

/**
 * SITE CONFIGURATION, not rules: the working hours re-deliveries must fall within, the
 * charge rates of the supervisor's charges view, and the dock's address printed on labels.
 * MP155 publishes none of them, so these are the shared examples until central (or the
 * host's config, through host.info) hands each site its own. Change them here, never in code
 * that uses them: every use takes the object as a parameter.
 */
export interface SupervisorSiteConfig {
  workingHours: WorkingHoursConfig;
  charges: ChargesConfig;
  /** The "from" block of re-delivery labels (the CSP or 3PL dock). */
  dockAddress: LabelAddress;
}

/** The example site configuration (shared/domain EXAMPLE_* values). */
export const SITE_CONFIG: SupervisorSiteConfig = {
  workingHours: EXAMPLE_WORKING_HOURS,
  charges: EXAMPLE_CHARGES_CONFIG,
  dockAddress: { name: "Re-Flash dock", lines: ["Communications Hub returns"] },
};
