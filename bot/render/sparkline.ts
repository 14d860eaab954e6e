/**
 * Sparklines for the report's trends (progress metrics): `▁▂▃▅▇█` with the start and end values and
 * the window, e.g. `Offset lag     ▁▁▂▂▃▄▅▆▇█  120 → 4,810 (60 min)`. Pure text, so the terminal, the
 * markdown and the Slack message draw the same line.
 */
import type { Report, Trend } from '../model/report';

const BARS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;
/** A period with no data: CloudWatch had no point (no traffic, or not yet published). */
const GAP = ' ';

/**
 * One character per bucket of values (the bucket's maximum, so a spike is not averaged away), scaled
 * from the series' minimum to its maximum; a flat series is drawn at the bottom.
 */
export function sparkline(values: (number | null)[], width = 30): string {
  if (values.length === 0) return '';
  const buckets = Math.max(1, Math.min(width, values.length));
  const per = values.length / buckets;
  const points: (number | null)[] = [];
  for (let b = 0; b < buckets; b++) {
    const slice = values.slice(Math.floor(b * per), Math.max(Math.floor((b + 1) * per), Math.floor(b * per) + 1));
    const present = slice.filter((v): v is number => v !== null && Number.isFinite(v));
    points.push(present.length ? Math.max(...present) : null);
  }
  const present = points.filter((v): v is number => v !== null);
  if (!present.length) return GAP.repeat(points.length);
  const min = Math.min(...present);
  const max = Math.max(...present);
  return points
    .map((v) => {
      if (v === null) return GAP;
      if (max === min) return BARS[0];
      return BARS[Math.min(BARS.length - 1, Math.floor(((v - min) / (max - min)) * BARS.length))];
    })
    .join('');
}

function number(n: number): string {
  const r = Math.abs(n) >= 100 ? Math.round(n) : Math.round(n * 10) / 10;
  return r.toLocaleString('en-US');
}

export function windowMinutes(t: Trend): number {
  return Math.round((Date.parse(t.end) - Date.parse(t.start)) / 60_000);
}

/** `Offset lag  ▁▂▃▅▇█  120 → 4,810 (60 min)`; "no data" when the series is empty. */
export function trendLine(t: Trend, options: { width?: number; labelWidth?: number } = {}): string {
  const label = t.label.padEnd(options.labelWidth ?? 0);
  const present = t.values.filter((v): v is number => v !== null);
  const window = `${windowMinutes(t)} min`;
  if (!present.length) return `${label}  no data (${window})`;
  return `${label}  ${sparkline(t.values, options.width)}  ${number(present[0]!)} → ${number(present[present.length - 1]!)} (${window})`;
}

/** Every trend of the report, labels aligned; empty when the report has none. */
export function trendLines(report: Pick<Report, 'trends'>, width = 30): string[] {
  const trends = report.trends ?? [];
  const labelWidth = Math.max(0, ...trends.map((t) => t.label.length));
  return trends.map((t) => trendLine(t, { width, labelWidth }));
}
