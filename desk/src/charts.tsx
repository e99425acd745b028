import { useId, type ReactNode } from "react";
import { scaleBand, scaleLinear, scalePoint } from "d3-scale";

/**
 * Small SVG charts for the service report, drawn by React; d3-scale does the arithmetic (band and
 * linear scales, "nice" axis ticks) and nothing touches the DOM but React. Why not a chart
 * library: the charts here are grouped bars and a few lines, and the libraries that draw them
 * (recharts, nivo, chart.js) add 50-150 kB gzipped to a desk that loads in one bundle, and
 * chart.js draws on a canvas a screen reader cannot read.
 *
 * Each chart is a figure whose SVG has role="img" with a <title> and a <desc> summarising it, a
 * visible legend in words (never colour alone: flagged bars are also labelled), and the same
 * numbers as a table in a <details> beneath it.
 *
 * No inline styles (the desk's CSP forbids them): colours are SVG presentation attributes.
 */

/** Colours with at least 3:1 contrast on white (WCAG 1.4.11, graphical objects), told apart by more than hue. */
export const SERIES_COLOURS = ["#0b4f8a", "#17603a", "#a1191f", "#6b4c9a", "#8a5a00", "#1f6f78"] as const;
const AXIS = "#4a5361";
/** A marked (e.g. flagged) bar: red, outlined and labelled, so colour is never the only sign. */
const MARKED = "#a1191f";
const GRID = "#d9dde3";

const W = 560;
const M = { top: 20, right: 12, bottom: 44, left: 52 };
/** The widest a bar is drawn (a single category must not fill the chart with one slab). */
const MAX_BAR = 64;

export interface Series {
  name: string;
  values: Array<number | null>;
}

function Figure(props: {
  title: string;
  summary: string;
  legend: string[];
  table: ReactNode;
  children: ReactNode;
  height: number;
}) {
  const id = useId();
  return (
    <figure className="chart" aria-labelledby={`${id}-cap`}>
      <figcaption id={`${id}-cap`}>{props.title}</figcaption>
      <svg
        viewBox={`0 0 ${W} ${props.height}`}
        role="img"
        aria-labelledby={`${id}-t ${id}-d`}
        preserveAspectRatio="xMidYMid meet"
      >
        <title id={`${id}-t`}>{props.title}</title>
        <desc id={`${id}-d`}>{props.summary}</desc>
        {props.children}
      </svg>
      {props.legend.length > 1 ? (
        <ul className="legend" aria-label="Legend">
          {props.legend.map((l, i) => (
            <li key={l}>
              <svg width="14" height="14" aria-hidden="true" focusable="false">
                <rect width="14" height="14" fill={SERIES_COLOURS[i % SERIES_COLOURS.length]} />
              </svg>
              {l}
            </li>
          ))}
        </ul>
      ) : null}
      <details>
        <summary>Table of this chart</summary>
        {props.table}
      </details>
    </figure>
  );
}

function YAxis({
  y,
  width,
  format,
}: {
  y: ReturnType<typeof scaleLinear<number>>;
  width: number;
  format: (v: number) => string;
}) {
  return (
    <g aria-hidden="true">
      {y.ticks(5).map((t) => (
        <g key={t} transform={`translate(0,${y(t)})`}>
          <line x1={M.left} x2={width - M.right} stroke={GRID} />
          <text x={M.left - 6} dy="0.32em" textAnchor="end" fontSize="11" fill={AXIS}>
            {format(t)}
          </text>
        </g>
      ))}
      <line x1={M.left} x2={M.left} y1={y.range()[0]} y2={y.range()[1]} stroke={AXIS} />
    </g>
  );
}

/** A chart's numbers as a table (the alternative to the picture): one row per category or point, one column per series. */
function DataTable(props: {
  rowHeader: string;
  rows: string[];
  series: Series[];
  cell: (series: number, row: number, value: number | null) => string;
}) {
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">{props.rowHeader}</th>
          {props.series.map((s) => (
            <th scope="col" key={s.name}>
              {s.name}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r, ri) => (
          <tr key={r}>
            <th scope="row">{r}</th>
            {props.series.map((s, si) => (
              <td key={s.name}>{props.cell(si, ri, s.values[ri] ?? null)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Grouped bars: one group per category, one bar per series; `mark` labels a bar (e.g. "flagged"). */
export function GroupedBarChart(props: {
  title: string;
  summary: string;
  categories: string[];
  series: Series[];
  format?: (v: number) => string;
  yMax?: number;
  mark?: (series: number, category: number) => string | null;
  reference?: { value: number; label: string } | null;
  height?: number;
}) {
  const height = props.height ?? 280;
  const format = props.format ?? ((v: number) => String(v));
  const max = Math.max(props.yMax ?? 0, ...props.series.flatMap((s) => s.values.map((v) => v ?? 0)), 1);
  const y = scaleLinear()
    .domain([0, max])
    .nice()
    .range([height - M.bottom, M.top]);
  // Centre narrow groups rather than stretch them.
  const span = Math.min(W - M.right - M.left, props.categories.length * props.series.length * MAX_BAR * 1.4);
  const x0 = M.left + (W - M.right - M.left - span) / 2;
  const x = scaleBand()
    .domain(props.categories)
    .range([x0, x0 + span])
    .paddingInner(0.2)
    .paddingOuter(0.1);
  const showValues = props.categories.length * props.series.length <= 24;
  const inner = scaleBand()
    .domain(props.series.map((s) => s.name))
    .range([0, x.bandwidth()])
    .padding(0.08);
  const table = (
    <DataTable
      rowHeader="Category"
      rows={props.categories}
      series={props.series}
      cell={(si, ci, v) => {
        const m = props.mark?.(si, ci) ?? null;
        return `${v === null ? "–" : format(v)}${m !== null ? ` (${m})` : ""}`;
      }}
    />
  );
  return (
    <Figure
      title={props.title}
      summary={props.summary}
      legend={props.series.map((s) => s.name)}
      table={table}
      height={height}
    >
      <YAxis y={y} width={W} format={format} />
      {props.categories.map((c, ci) => (
        <g key={c} transform={`translate(${x(c) ?? 0},0)`}>
          {props.series.map((s, si) => {
            const v = s.values[ci];
            if (v === null || v === undefined) return null;
            const bx = inner(s.name) ?? 0;
            const top = y(v);
            const m = props.mark?.(si, ci) ?? null;
            return (
              <g key={s.name}>
                <rect
                  x={bx}
                  y={top}
                  width={inner.bandwidth()}
                  height={Math.max(0, y(0) - top)}
                  fill={m !== null ? MARKED : SERIES_COLOURS[si % SERIES_COLOURS.length]}
                  stroke={m !== null ? "#1b1f24" : "none"}
                  strokeWidth={m !== null ? 2 : 0}
                />
                {showValues || m !== null ? (
                  <text
                    x={bx + inner.bandwidth() / 2}
                    y={top - 4}
                    textAnchor="middle"
                    fontSize="11"
                    fontWeight={m !== null ? "700" : "400"}
                    fill="#1b1f24"
                    aria-hidden="true"
                  >
                    {m !== null ? `${format(v)} ${m}` : format(v)}
                  </text>
                ) : null}
              </g>
            );
          })}
          <text
            x={x.bandwidth() / 2}
            y={height - M.bottom + 16}
            textAnchor="middle"
            fontSize="12"
            fill={AXIS}
            aria-hidden="true"
          >
            {c}
          </text>
        </g>
      ))}
      {props.reference ? (
        <g aria-hidden="true">
          <line
            x1={M.left}
            x2={W - M.right}
            y1={y(props.reference.value)}
            y2={y(props.reference.value)}
            stroke="#1b1f24"
            strokeDasharray="6 4"
          />
          <text x={W - M.right} y={y(props.reference.value) - 4} textAnchor="end" fontSize="12" fill="#1b1f24">
            {props.reference.label}
          </text>
        </g>
      ) : null}
      <line x1={M.left} x2={W - M.right} y1={y(0)} y2={y(0)} stroke={AXIS} aria-hidden="true" />
    </Figure>
  );
}

/** Lines over ordered points (days): one line per series, with a dot at every value. */
export function LineChart(props: {
  title: string;
  summary: string;
  points: string[];
  series: Series[];
  format?: (v: number) => string;
  yDomain?: [number, number];
  height?: number;
}) {
  const height = props.height ?? 280;
  const format = props.format ?? ((v: number) => String(v));
  const all = props.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const y = scaleLinear()
    .domain(props.yDomain ?? [0, Math.max(1, ...all)])
    .nice()
    .range([height - M.bottom, M.top]);
  const x = scalePoint()
    .domain(props.points)
    .range([M.left + 12, W - M.right - 12])
    .padding(0.3);
  // At most ~10 labels on the x axis, so dates never overlap.
  const every = Math.max(1, Math.ceil(props.points.length / 10));
  const table = (
    <DataTable
      rowHeader="Day"
      rows={props.points}
      series={props.series}
      cell={(_si, _pi, v) => (v === null ? "–" : format(v))}
    />
  );
  return (
    <Figure
      title={props.title}
      summary={props.summary}
      legend={props.series.map((s) => s.name)}
      table={table}
      height={height}
    >
      <YAxis y={y} width={W} format={format} />
      <line x1={M.left} x2={W - M.right} y1={y.range()[0]} y2={y.range()[0]} stroke={AXIS} aria-hidden="true" />
      <g aria-hidden="true">
        {props.points.map((p, i) =>
          i % every === 0 ? (
            <text key={p} x={x(p) ?? 0} y={height - M.bottom + 16} textAnchor="middle" fontSize="12" fill={AXIS}>
              {p.slice(5)}
            </text>
          ) : null,
        )}
      </g>
      {props.series.map((s, si) => {
        const colour = SERIES_COLOURS[si % SERIES_COLOURS.length];
        const pts = props.points
          .map((p, pi) => ({ x: x(p) ?? 0, v: s.values[pi] }))
          .filter((q): q is { x: number; v: number } => q.v !== null && q.v !== undefined);
        const d = pts.map((q, i) => `${i === 0 ? "M" : "L"}${q.x.toFixed(1)},${y(q.v).toFixed(1)}`).join("");
        return (
          <g key={s.name}>
            <path d={d} fill="none" stroke={colour} strokeWidth={2} />
            {pts.map((q) => (
              <circle key={q.x} cx={q.x} cy={y(q.v)} r={3.5} fill={colour} />
            ))}
          </g>
        );
      })}
    </Figure>
  );
}
