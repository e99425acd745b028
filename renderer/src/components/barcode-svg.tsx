import { useEffect, useRef } from "react";
import JsBarcode from "jsbarcode";

/** A Code 128 / GS1-128 barcode drawn by JsBarcode (test sheet, printable). */
export function BarcodeSvg(props: { data: string; ean128?: boolean; text?: string }) {
  const ref = useRef<SVGSVGElement>(null);
  useEffect(() => {
    if (ref.current === null) return;
    try {
      JsBarcode(ref.current, props.data, {
        format: "CODE128",
        ean128: props.ean128 ?? false,
        height: 70,
        width: 2,
        fontSize: 16,
        text: props.text ?? props.data,
      });
    } catch {
      ref.current.replaceChildren();
    }
  }, [props.data, props.ean128, props.text]);
  return <svg ref={ref} role="img" aria-label={`barcode ${props.text ?? props.data}`} />;
}
