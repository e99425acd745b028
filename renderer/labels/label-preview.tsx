import type { RenderedLabel } from "./logistics-label";

/**
 * A rendered label on screen, at its printed size. The SVG text is ours (built and escaped by
 * logistics-label.ts from validated payloads), so inserting it as markup is safe.
 */
export function LabelPreview(props: { label: RenderedLabel; scale?: number }) {
  const { widthIn, heightIn, orientation } = props.label.size;
  const scale = props.scale ?? 1;
  return (
    <div
      className={`rfd-label ${orientation}`}
      style={{ width: `${widthIn * scale}in`, height: `${heightIn * scale}in` }}
      data-label-kind={props.label.kind}
      dangerouslySetInnerHTML={{ __html: props.label.svg }}
    />
  );
}
