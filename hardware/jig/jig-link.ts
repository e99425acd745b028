/**
 * The jig-driver interface: what the jig service (host/jig/) needs from a multi-jig, and
 * where a manufacturer's protocol plugs in. Our own protocol (docs/jig-protocol.md,
 * ./jig-driver.ts `JigDriver`) is the reference implementation; a CSP's jig with another
 * protocol is supported by writing a `JigLink` for it and listing a `JigProtocol` that
 * claims its USB IDs (host/usb-devices.ts picks the first protocol whose `matches` is true).
 *
 * The contract, beyond the types (docs/jig-protocol.md, "Driver interface"):
 * - every method resolves when the jig has answered, or rejects with a `JigError`:
 *   `refused` (the jig said no; `status` names why, `no-hub` when the slot is empty),
 *   `timeout`, `disconnected` (the jig went away: pending calls reject at once), `protocol`;
 * - `commit` may run for minutes: its timeout restarts on every `progress` event for the slot;
 * - `verify` returns the SHA-256 the jig computed over what it programmed, never the host's;
 * - events: `event` (`hub-seated`, `hub-removed`, `progress` with `percent`) and
 *   `disconnect` once, when the transport goes away.
 */
import type { HidDeviceInfo, HidTransport } from "../hid/hid-transport";
import type { NodeHidTransportOptions } from "../hid/node-hid-transport";
import { JigDriver } from "./jig-driver";
import { REPORT_SIZE } from "./frame";

export type JigLink = Pick<
  JigDriver,
  | "identify"
  | "slotStatus"
  | "readIdentity"
  | "unlock"
  | "beginImage"
  | "writeImage"
  | "commit"
  | "verify"
  | "open"
  | "close"
  | "on"
  | "off"
>;

/** A jig protocol the host can drive: which USB devices speak it, how to open them, and the driver. */
export interface JigProtocol {
  name: string;
  /** True for a device (already in the site's jig VID/PID list) that speaks this protocol. */
  matches(info: HidDeviceInfo): boolean;
  /** How node-hid must frame its reports. */
  transport: NodeHidTransportOptions;
  /** The driver over an opened-or-not transport (the host calls `open()`). */
  create(transport: HidTransport): JigLink;
}

/** The reference: our own protocol, 1024-byte reports without a report ID. */
export const REFERENCE_JIG_PROTOCOL: JigProtocol = {
  name: "Re-Flash Dock multi-jig protocol v2",
  matches: () => true,
  transport: { reportId: 0, numberedInputReports: false, outputReportLength: REPORT_SIZE },
  create: (transport) => new JigDriver(transport, { timeoutMs: 5000 }),
};
