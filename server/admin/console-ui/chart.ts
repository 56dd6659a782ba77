/** A small line chart in SVG: one series over time, its latest value in the title. */
import { h, svg } from "./dom.js";

export function lineChart(title: string, points: { t: number; v: number }[], unit = ""): HTMLElement {
  const width = 320;
  const height = 90;
  const pad = 4;
  const last = points[points.length - 1]?.v ?? 0;
  const box = svg("svg", {
    viewBox: `0 0 ${width} ${height}`,
    width: "100%",
    height,
    preserveAspectRatio: "none",
    class: "chart",
  });
  if (points.length > 1) {
    const t0 = points[0]!.t;
    const t1 = points[points.length - 1]!.t;
    const max = Math.max(1, ...points.map((p) => p.v));
    const x = (t: number): number => pad + ((t - t0) / Math.max(1, t1 - t0)) * (width - 2 * pad);
    const y = (v: number): number => height - pad - (v / max) * (height - 2 * pad);
    const line = points.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(" ");
    box.append(
      svg("polyline", {
        points: line,
        fill: "none",
        stroke: "currentColor",
        "stroke-width": 2,
        "vector-effect": "non-scaling-stroke",
      }),
      svg("text", { x: pad, y: height - pad - 2, class: "axis" }),
    );
    box.lastElementChild!.textContent = `max ${max}`;
  }
  const spanMs = points.length > 1 ? points[points.length - 1]!.t - points[0]!.t : 0;
  const span = spanMs < 60_000 ? `${Math.round(spanMs / 1000)} s` : `${Math.round(spanMs / 60_000)} min`;
  return h(
    "figure",
    { class: "metric" },
    h("figcaption", {}, h("b", {}, title), ` ${last}${unit}`, h("small", {}, ` over the last ${span}`)),
    box,
  );
}
