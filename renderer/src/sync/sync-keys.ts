/** Keys of the dock's `meta` table that sync writes (and other parts read). */
export const CURSOR_KEY = "sync.cursor";
export const CLOCK_OFFSET_KEY = "sync.clockOffsetMs";
/** A Party's re-delivery amendments (Req 8) as pulled, by booking and version; the supervisor reviews them. */
export const REDELIVERY_AMENDMENTS_KEY = "sync.redeliveryAmendments";
/** The firmware catalogue as pulled (target versions for manifests), by model and version. */
export const FIRMWARE_CATALOGUE_KEY = "sync.firmware";
/** The operators central registered at this facility, as last pulled (sign-in checks against them offline). */
export const OPERATORS_KEY = "sync.operators";
export const LAST_SUCCESS_KEY = "sync.lastSuccessAt";
