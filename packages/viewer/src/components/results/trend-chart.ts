import { html, svg, nothing, type TemplateResult } from 'lit';
import type { ResultSeries } from '../../view-models/results.js';
import { formatNumber } from '../../format/clinical.js';

const W = 480;
const H = 220;
const PAD = { left: 52, right: 20, top: 20, bottom: 40 };

/** Scales of a series: value axis covering the points and the reference range, time axis by date. */
export function chartScales(series: ResultSeries): { x: (iso: string) => number; y: (v: number) => number; min: number; max: number } {
  const values = series.points.map((p) => p.value);
  const candidates = [...values, ...(series.low !== undefined ? [series.low] : []), ...(series.high !== undefined ? [series.high] : [])];
  let min = Math.min(...candidates);
  let max = Math.max(...candidates);
  if (min === max) {
    min -= 1;
    max += 1;
  }
  const margin = (max - min) * 0.1;
  min -= margin;
  max += margin;
  const times = series.points.map((p) => Date.parse(p.dateIso));
  const t0 = Math.min(...times);
  const t1 = Math.max(...times);
  const x = (iso: string) => PAD.left + (t1 === t0 ? 0.5 : (Date.parse(iso) - t0) / (t1 - t0)) * (W - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + (1 - (v - min) / (max - min)) * (H - PAD.top - PAD.bottom);
  return { x, y, min, max };
}

/**
 * A trend chart of one test: the reference range as a band, values as a line, abnormal values drawn as triangles
 * (shape, not colour alone), and the same data in a visually hidden table for screen readers.
 */
export function trendChart(series: ResultSeries, id: string): TemplateResult {
  const { x, y } = chartScales(series);
  const path = series.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.dateIso).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
  const band =
    series.low !== undefined || series.high !== undefined
      ? { top: y(series.high ?? Number.POSITIVE_INFINITY), bottom: y(series.low ?? Number.NEGATIVE_INFINITY) }
      : undefined;
  const clamp = (v: number) => Math.min(H - PAD.bottom, Math.max(PAD.top, v));
  const first = series.points[0]!;
  const last = series.points.at(-1)!;
  const unit = series.unit ? ` ${series.unit}` : '';
  const summary = `${series.test}: ${series.points.length} results from ${first.date.slice(0, 11)} to ${last.date.slice(0, 11)}, latest ${formatNumber(last.value)}${unit}${last.flag && last.flag !== 'Normal' ? ` (${last.flag})` : ''}.`;
  return html`<figure class="trend" data-test=${series.testKey}>
    <figcaption id="${id}-caption">${series.test} trend${unit ? html` <span class="source">(${series.unit})</span>` : nothing}</figcaption>
    <svg viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="${id}-caption ${id}-summary" preserveAspectRatio="xMidYMid meet">
      ${band
        ? svg`<rect class="range" x=${PAD.left} width=${W - PAD.left - PAD.right} y=${clamp(band.top)} height=${Math.max(0, clamp(band.bottom) - clamp(band.top))}></rect>
            <text class="axis range-label" x=${PAD.left + 6} y=${clamp(band.top) + 16} text-anchor="start">reference range</text>`
        : nothing}
      ${svg`<line class="axis-line" x1=${PAD.left} x2=${PAD.left} y1=${PAD.top} y2=${H - PAD.bottom}></line>
        <line class="axis-line" x1=${PAD.left} x2=${W - PAD.right} y1=${H - PAD.bottom} y2=${H - PAD.bottom}></line>
        <text class="axis" x=${PAD.left - 6} y=${y(Math.max(...series.points.map((p) => p.value))) + 4} text-anchor="end">${formatNumber(Math.max(...series.points.map((p) => p.value)))}</text>
        <text class="axis" x=${PAD.left - 6} y=${y(Math.min(...series.points.map((p) => p.value))) + 4} text-anchor="end">${formatNumber(Math.min(...series.points.map((p) => p.value)))}</text>
        <text class="axis" x=${PAD.left} y=${H - 10} text-anchor="start">${first.date.slice(0, 11)}</text>
        <text class="axis" x=${W - PAD.right} y=${H - 10} text-anchor="end">${last.date.slice(0, 11)}</text>
        <path class="line" d=${path}></path>`}
      ${series.points.map((p) => {
        const cx = x(p.dateIso);
        const cy = y(p.value);
        const abnormal = p.flag !== undefined && p.flag !== 'Normal';
        return abnormal
          ? svg`<path class="point abnormal" d="M${cx},${cy - 7} L${cx + 7},${cy + 5} L${cx - 7},${cy + 5} Z"></path>`
          : svg`<circle class="point" cx=${cx} cy=${cy} r="5"></circle>`;
      })}
    </svg>
    <p id="${id}-summary" class="visually-hidden">${summary}</p>
    <table class="visually-hidden">
      <caption>
        ${series.test} results, oldest first
      </caption>
      <thead>
        <tr>
          <th scope="col">Date</th>
          <th scope="col">Value${unit}</th>
          <th scope="col">Flag</th>
        </tr>
      </thead>
      <tbody>
        ${series.points.map((p) => html`<tr><th scope="row">${p.date}</th><td>${formatNumber(p.value)}</td><td>${p.flag ?? 'None'}</td></tr>`)}
      </tbody>
    </table>
    <p class="legend source"><span aria-hidden="true">▲</span> outside the reference range · <span aria-hidden="true">●</span> within it</p>
  </figure>`;
}
