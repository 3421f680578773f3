import type { ExpositionFormat } from './prometheus-registry.js';

/**
 * Picks the exposition format for an HTTP `Accept` header: OpenMetrics when `application/openmetrics-text` is asked
 * for with a higher quality than the text format (as Prometheus asks since 2.5), else the Prometheus text format.
 */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  let open = 0;
  let text = 0;
  for (const range of (accept ?? '').split(',')) {
    const [type = '', ...params] = range.split(';').map((s) => s.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2)) || 0;
    if (type === 'application/openmetrics-text') open = Math.max(open, q);
    else if (type === 'text/plain' || type === 'text/*' || type === '*/*') text = Math.max(text, q);
  }
  return open > 0 && open >= text ? 'openmetrics' : 'prometheus';
}
