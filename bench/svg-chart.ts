/**
 * A latency histogram as a self-contained SVG (pure): one line per target, latency on a log axis
 * (10 bins per decade), the share of operations per bin on the vertical axis.
 */
import { bucketHighest, type HistogramData } from "./histogram.js";
import { formatUs } from "./report.js";

export interface ChartSeries {
  label: string;
  histogram: HistogramData;
}

const binsPerDecade = 10;
const colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"];
const width = 760;
const height = 360;
const margin = { left: 60, right: 20, top: 40, bottom: 50 };

/** Shares of operations per log bin, keyed by bin number (floor(log10(µs) * binsPerDecade)). */
export function logBins(h: HistogramData): Map<number, number> {
  const bins = new Map<number, number>();
  if (h.count === 0) return bins;
  for (const [index, n] of h.buckets) {
    const v = Math.max(1, bucketHighest(index));
    const bin = Math.floor(Math.log10(v) * binsPerDecade);
    bins.set(bin, (bins.get(bin) ?? 0) + n / h.count);
  }
  return bins;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function latencyChartSvg(title: string, series: readonly ChartSeries[]): string {
  const binned = series.map((s) => logBins(s.histogram));
  const allBins = binned.flatMap((b) => [...b.keys()]);
  const lo = allBins.length > 0 ? Math.min(...allBins) : 0;
  const hi = allBins.length > 0 ? Math.max(...allBins) + 1 : binsPerDecade;
  const xMin = Math.floor(lo / binsPerDecade) * binsPerDecade;
  const xMax = Math.max(xMin + binsPerDecade, Math.ceil(hi / binsPerDecade) * binsPerDecade);
  const yMax = Math.max(0.01, ...binned.flatMap((b) => [...b.values()]));
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const x = (bin: number) => margin.left + ((bin - xMin) / (xMax - xMin)) * plotW;
  const y = (share: number) => margin.top + plotH - (share / yMax) * plotH;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<title>${escapeXml(title)}</title>`);
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  out.push(`<text x="${width / 2}" y="20" text-anchor="middle" font-size="14">${escapeXml(title)}</text>`);
  // Axes and decade grid lines.
  out.push(
    `<line x1="${margin.left}" y1="${margin.top + plotH}" x2="${margin.left + plotW}" y2="${margin.top + plotH}" stroke="black"/>`,
  );
  out.push(
    `<line x1="${margin.left}" y1="${margin.top}" x2="${margin.left}" y2="${margin.top + plotH}" stroke="black"/>`,
  );
  for (let b = xMin; b <= xMax; b += binsPerDecade) {
    const px = x(b).toFixed(1);
    out.push(`<line x1="${px}" y1="${margin.top}" x2="${px}" y2="${margin.top + plotH}" stroke="#ddd"/>`);
    out.push(
      `<text x="${px}" y="${margin.top + plotH + 16}" text-anchor="middle">${formatUs(10 ** (b / binsPerDecade))}</text>`,
    );
  }
  for (let i = 0; i <= 4; i++) {
    const share = (yMax * i) / 4;
    const py = y(share).toFixed(1);
    out.push(
      `<text x="${margin.left - 6}" y="${py}" text-anchor="end" dy="4">${(share * 100).toFixed(1)}%</text>`,
    );
  }
  out.push(
    `<text x="${width / 2}" y="${height - 10}" text-anchor="middle">latency (log scale, ${binsPerDecade} bins per decade)</text>`,
  );
  out.push(
    `<text transform="rotate(-90)" x="${-(margin.top + plotH / 2)}" y="14" text-anchor="middle">share of operations</text>`,
  );
  // One step line per series.
  series.forEach((s, i) => {
    const bins = binned[i]!;
    const color = colors[i % colors.length]!;
    const points: string[] = [];
    for (let b = xMin; b < xMax; b++) {
      const share = bins.get(b) ?? 0;
      points.push(
        `${x(b).toFixed(1)},${y(share).toFixed(1)}`,
        `${x(b + 1).toFixed(1)},${y(share).toFixed(1)}`,
      );
    }
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${points.join(" ")}"/>`);
    const ly = margin.top + 14 + i * 16;
    out.push(
      `<line x1="${width - 250}" y1="${ly - 4}" x2="${width - 232}" y2="${ly - 4}" stroke="${color}" stroke-width="3"/>`,
    );
    out.push(`<text x="${width - 226}" y="${ly}">${escapeXml(s.label)}</text>`);
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
