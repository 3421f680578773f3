import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One file of the page, held in memory. */
interface Asset { type: string; body: Buffer }

/**
 * Headers of every page response: scripts and styles only from this server (so even a name that slipped past
 * escaping could not run as script), no framing, no referrer, no sniffing.
 */
export const PAGE_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
} as const;

// web/ sits at the package root, two levels above both src/sinks/ and dist/sinks/, so no build step copies it.
const WEB_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../web');

/**
 * The dashboard's files by URL path: our page from `web/` and uPlot from its npm package, read once when the first
 * dashboard starts. Serving from memory costs no descriptor per request.
 */
export function dashboardAssets(): Map<string, Asset> {
  const uplotDir = dirname(createRequire(import.meta.url).resolve('uplot'));
  const files: [string, string, string][] = [
    ['/', join(WEB_DIR, 'index.html'), 'text/html; charset=utf-8'],
    ['/dashboard.js', join(WEB_DIR, 'dashboard.js'), 'text/javascript; charset=utf-8'],
    ['/dashboard.css', join(WEB_DIR, 'dashboard.css'), 'text/css; charset=utf-8'],
    ['/uplot.js', join(uplotDir, 'uPlot.iife.min.js'), 'text/javascript; charset=utf-8'],
    ['/uplot.css', join(uplotDir, 'uPlot.min.css'), 'text/css; charset=utf-8'],
  ];
  return new Map(files.map(([path, file, type]) => [path, { type, body: readFileSync(file) }]));
}

/** Sends one asset (HEAD: headers only). */
export function sendAsset(res: ServerResponse, asset: Asset, head: boolean): void {
  res.writeHead(200, { ...PAGE_HEADERS, 'Content-Type': asset.type, 'Content-Length': asset.body.length });
  res.end(head ? undefined : asset.body);
}
