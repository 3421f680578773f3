// SVG chart of bench/soak.mjs (the `_` keeps bench/run.mjs from running it): stacked panels sharing the time axis,
// each with polylines, a y axis with ticks, a shaded warm-up and the two quarters the flatness check compares.
// Hand-written SVG: no native dependency, readable in a browser and on GitHub.

const W = 860;
const PANEL_H = 220;
const M = { left: 70, right: 150, top: 44, gap: 46, bottom: 40 };
const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728'];
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const fmt = (v) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));

/** Rounds a span up to 1, 2 or 5 × 10^k, for tick steps. */
function niceStep(span, ticks) {
  const raw = span / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw);
}

/**
 * @param {{ title: string, subtitle: string, t: number[], warmupS: number, quarters: [number, number][],
 *   panels: { label: string, series: { name: string, values: number[] }[] }[] }} chart   t in seconds
 */
export function soakSvg({ title, subtitle, t, warmupS, quarters, panels }) {
  const H = M.top + panels.length * PANEL_H + (panels.length - 1) * M.gap + M.bottom;
  const plotW = W - M.left - M.right;
  const tMax = Math.max(1, t.at(-1) ?? 1);
  const x = (s) => M.left + (s / tMax) * plotW;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${M.left}" y="18" font-size="15" font-weight="bold">${esc(title)}</text>`,
    `<text x="${M.left}" y="34" fill="#555">${esc(subtitle)}</text>`,
  ];
  panels.forEach((panel, p) => {
    const top = M.top + p * (PANEL_H + M.gap);
    const all = panel.series.flatMap((s) => s.values).filter(Number.isFinite);
    const lo0 = Math.min(0, ...all);
    const hi0 = Math.max(1, ...all) * 1.08;
    const step = niceStep(hi0 - lo0, 5);
    const lo = Math.floor(lo0 / step) * step;
    const hi = Math.ceil(hi0 / step) * step;
    const y = (v) => top + PANEL_H - ((v - lo) / (hi - lo)) * PANEL_H;
    out.push(`<rect x="${x(0)}" y="${top}" width="${x(warmupS) - x(0)}" height="${PANEL_H}" fill="#eee"/>`);
    for (const [a, b] of quarters) {
      out.push(`<rect x="${x(a)}" y="${top}" width="${x(b) - x(a)}" height="${PANEL_H}" fill="#e8f0fb"/>`);
    }
    for (let v = lo; v <= hi + step / 2; v += step) {
      out.push(`<line x1="${M.left}" x2="${M.left + plotW}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`);
      out.push(`<text x="${M.left - 6}" y="${y(v) + 4}" text-anchor="end">${fmt(v)}</text>`);
    }
    out.push(`<text transform="translate(16 ${top + PANEL_H / 2}) rotate(-90)" text-anchor="middle">${esc(panel.label)}</text>`);
    panel.series.forEach((s, i) => {
      const pts = s.values.map((v, k) => (Number.isFinite(v) ? `${x(t[k]).toFixed(1)},${y(v).toFixed(1)}` : '')).filter(Boolean);
      out.push(`<polyline fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="1.3" points="${pts.join(' ')}"/>`);
      out.push(`<line x1="${M.left + plotW + 10}" x2="${M.left + plotW + 28}" y1="${top + 14 + 18 * i}" y2="${top + 14 + 18 * i}" stroke="${COLORS[i % COLORS.length]}" stroke-width="2"/>`);
      out.push(`<text x="${M.left + plotW + 32}" y="${top + 18 + 18 * i}">${esc(s.name)}</text>`);
    });
    out.push(`<rect x="${M.left}" y="${top}" width="${plotW}" height="${PANEL_H}" fill="none" stroke="#333"/>`);
  });
  const bottom = M.top + panels.length * PANEL_H + (panels.length - 1) * M.gap;
  const step = niceStep(tMax, 8);
  for (let s = 0; s <= tMax + 1e-9; s += step) {
    out.push(`<line x1="${x(s)}" x2="${x(s)}" y1="${bottom}" y2="${bottom + 5}" stroke="#333"/>`);
    out.push(`<text x="${x(s)}" y="${bottom + 18}" text-anchor="middle">${fmt(s)}</text>`);
  }
  out.push(`<text x="${M.left + plotW / 2}" y="${bottom + 34}" text-anchor="middle">seconds since start (grey: warm-up; blue: the quarters compared)</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
