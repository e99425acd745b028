import JsBarcode from "jsbarcode";
import { code128Data, type EncodedLabel } from "../../shared/domain/labels";

/**
 * The bar pattern of a GS1-128 symbol, computed by JsBarcode: one character a module, "1" a
 * bar module, "0" a space module, start to stop. JsBarcode's object renderer (a plain object
 * as target) fills `encodings` without a DOM, so the label layout draws the bars itself at a
 * whole number of printer dots a module, and a test can rasterise the very same pattern.
 */
export type ModulesResult = { ok: true; modules: string } | { ok: false; reason: string };

/** GS1 General Specifications: a quiet zone of at least 10 modules either side of a GS1-128 symbol. */
export const GS1_128_QUIET_ZONE_MODULES = 10;

/** The modules of a label payload as GS1-128 (CODE128 with a leading FNC1, `ean128: true`). */
export function gs1128Modules(label: EncodedLabel): ModulesResult {
  const target: { encodings?: Array<{ data?: unknown }> } = {};
  let valid = true;
  try {
    JsBarcode(target, code128Data(label), {
      format: "CODE128",
      ean128: true,
      valid: (v: boolean) => {
        valid = valid && v;
      },
    });
  } catch (e) {
    return {
      ok: false,
      reason: `JsBarcode could not encode ${label.hri}: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
  if (!valid) return { ok: false, reason: `JsBarcode refused ${label.hri} as CODE128` };
  const modules = (target.encodings ?? []).map((e) => (typeof e.data === "string" ? e.data : "")).join("");
  if (!/^1[01]*1$/.test(modules)) return { ok: false, reason: `JsBarcode gave no bar pattern for ${label.hri}` };
  return { ok: true, modules };
}

/** Runs of bars: [start module, width in modules] for each stretch of consecutive "1"s. */
export function barRuns(modules: string): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  let i = 0;
  while (i < modules.length) {
    if (modules[i] !== "1") {
      i++;
      continue;
    }
    const start = i;
    while (modules[i] === "1") i++;
    runs.push([start, i - start]);
  }
  return runs;
}
