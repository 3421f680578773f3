/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The dashboard in a real browser: Debian's Chromium, headless, driven by playwright-core, against the built
 * `procstream watch --http` sampling real processes named in a units file.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAll, startNode } from '../helpers/children.js';
import { ensureBuilt, root } from '../helpers/bin.js';
import { startHttpWatch, type HttpWatch } from '../helpers/http-watch.js';

const CHROMIUM = '/usr/bin/chromium';
const HOSTILE = '<img src=x onerror=alert(1)>';
const dir = mkdtempSync(join(tmpdir(), 'procstream-browser-'));
const pidFile = join(dir, 'worker.pid');
// Burns about 10 % of a core in short bursts, so the CPU chart has something to draw; writes its pid file first.
const worker = `require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));
  setInterval(() => { const end = Date.now() + 10; while (Date.now() < end); }, 100); console.log('ready')`;

let browser: Browser;
let watch: HttpWatch;
let page: Page;
const dialogs: string[] = [];

beforeAll(async () => {
  ensureBuilt();
  await startNode(worker, true);
  const idle = await startNode('setInterval(() => {}, 1000); console.log("ready")', true);
  writeFileSync(join(dir, 'units.json'), JSON.stringify([{ unit: 'worker', pidFile }, { unit: HOSTILE, pid: idle.pid }]));
  watch = await startHttpWatch(['--units', join(dir, 'units.json'), '--interval', '250ms']);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await watch?.stop();
  await killAll();
});

/** Pixels of the chart canvas of `chartId` close to `rgb`, in the plot area, within columns [x0, x1) (device px). */
async function pixelsLike(chartId: string, rgb: [number, number, number], x0?: number, x1?: number): Promise<number> {
  return page.evaluate(([id, [r, g, b], from, to]) => {
    const u = (document.querySelector(id) as unknown as { uplot: { ctx: CanvasRenderingContext2D; bbox: { left: number; top: number; width: number; height: number } } }).uplot;
    const { left, top, width, height } = u.bbox;
    const lo = Math.max(left, from ?? left);
    const hi = Math.min(left + width, to ?? left + width);
    const img = u.ctx.getImageData(lo, top, Math.max(1, hi - lo), height).data;
    let n = 0;
    for (let i = 0; i < img.length; i += 4) if (Math.abs(img[i]! - r) < 24 && Math.abs(img[i + 1]! - g) < 24 && Math.abs(img[i + 2]! - b) < 24 && img[i + 3]! > 128) n += 1;
    return n;
  }, [chartId, rgb, x0, x1] as const);
}

describe('the dashboard in headless Chromium', () => {
  it('lists the watched units, the hostile name as text, never as markup', async () => {
    await page.goto(watch.url);
    await page.waitForFunction(() => document.querySelectorAll('#units tbody tr').length === 2);
    const names = await page.locator('#units tbody td.unit').allTextContents();
    expect(names.sort()).toEqual([HOSTILE, 'worker'].sort());
    expect(await page.locator('main img').count()).toBe(0);
    await page.waitForFunction(() => [...document.querySelectorAll('#units td.state')].every((td) => td.textContent === 'up'));
    expect(dialogs).toEqual([]);
  });

  it('updates live over Server-Sent Events, without reloading', async () => {
    const before = Number(await page.evaluate(() => document.body.dataset.updates ?? '0'));
    await page.waitForFunction((n) => Number(document.body.dataset.updates ?? '0') >= n + 4, before);
    const rss = await page.locator('#units tr[data-unit="worker"] td.rss').textContent();
    expect(rss).toMatch(/MiB/);
  });

  it('filters and sorts the table', async () => {
    await page.fill('#filter', 'work');
    expect(await page.locator('#units tbody td.unit').allTextContents()).toEqual(['worker']);
    await page.fill('#filter', '');
    await page.click('#units th[data-key="unit"]'); // unit is the default key: a second click turns it descending
    const desc = await page.locator('#units tbody td.unit').allTextContents();
    expect(desc).toEqual([...desc].sort().reverse());
  });

  it('shows a restart of the pid-file target in the table, and as a marker on the unit charts', async () => {
    // The store keeps the current minute raw and folds older rows into 1-minute buckets (slots aligned to the epoch);
    // a bucket holding the downtime and samples around it has a mean, so the downtime is a gap only while it is raw.
    // So the kill, the downtime and the reading below all happen within one minute of the clock.
    const intoMinuteMs = Date.now() % 60_000;
    if (intoMinuteMs > 20_000) await new Promise((r) => setTimeout(r, 60_000 - intoMinuteMs + 500));
    // the first worker is the first child started; kill it by its pid file and start the next one
    const oldPid = Number(readFileSync(pidFile, 'utf8'));
    process.kill(oldPid, 'SIGKILL');
    await page.waitForFunction(() => document.querySelector('#units tr[data-unit="worker"] td.state')?.textContent?.startsWith('down'));
    // stay down for four more sampling rounds, so the downtime spans whole chart buckets
    const downAt = Number(await page.evaluate(() => document.body.dataset.updates));
    await page.waitForFunction((n) => Number(document.body.dataset.updates) >= n + 4, downAt);
    await startNode(worker, true);
    await page.waitForFunction(() => document.querySelector('#units tr[data-unit="worker"] td.restarts')?.textContent === '1');

    await page.goto(`${watch.url}#unit=worker`);
    await page.waitForFunction(() => document.querySelectorAll('#restarts li.restart').length === 1);
    // the page refetches the series as samples arrive: wait for CPU points of the new process (its first has no baseline)
    await page.waitForFunction(() => {
      const [x = [], , mean = []] = (document.querySelector('#cpu-chart') as unknown as { uplot: { data: (number | null)[][] } }).uplot.data;
      const restartS = Number(document.querySelector('#restarts li.restart')!.getAttribute('data-ts')) / 1000;
      return x.some((t, i) => t! > restartS && mean[i] !== null);
    });
    // the charts hold drawn points: non-null means in the buckets, and the mean line's colour on the canvas
    const data = await page.evaluate(() => (document.querySelector('#cpu-chart') as unknown as { uplot: { data: (number | null)[][] } }).uplot.data);
    expect(data[2]!.filter((v) => v !== null).length).toBeGreaterThan(3);
    await page.waitForFunction(() => ((document.querySelector('#rss-chart') as unknown as { uplot: { data: (number | null)[][] } }).uplot.data[2] ?? []).some((v) => v !== null));
    expect(await pixelsLike('#cpu-chart', [0x15, 0x65, 0xc0])).toBeGreaterThan(5);
    expect(await pixelsLike('#rss-chart', [0x6a, 0x1b, 0x9a])).toBeGreaterThan(5);
    // the downtime is a gap: some bucket between the first and the last drawn one is null
    const mean = data[2]!;
    const first = mean.findIndex((v) => v !== null);
    const last = mean.length - 1 - [...mean].reverse().findIndex((v) => v !== null);
    expect(mean.slice(first, last).some((v) => v === null)).toBe(true);
    // the marker: red dashes in the columns around the restart's x position
    const x = await page.evaluate(() => {
      const u = (document.querySelector('#cpu-chart') as unknown as { uplot: { valToPos(v: number, s: string, c: boolean): number } }).uplot;
      return u.valToPos(Number(document.querySelector('#restarts li.restart')!.getAttribute('data-ts')) / 1000, 'x', true);
    });
    expect(await pixelsLike('#cpu-chart', [0xc6, 0x28, 0x28], x - 3, x + 3)).toBeGreaterThan(10);
    await page.screenshot({ path: process.env.PROCSTREAM_SCREENSHOT === '1' ? join(root, 'docs/dashboard.png') : join(dir, 'dashboard.png'), fullPage: true });
    expect(dialogs).toEqual([]);
  }, 120_000);

  it('shows the hostile unit by name in its own view and fetches its series by the escaped name', async () => {
    await page.goto(`${watch.url}#unit=${encodeURIComponent(HOSTILE)}`);
    await page.waitForFunction(() => ((document.querySelector('#cpu-chart') as unknown as { uplot?: { data: unknown[][] } }).uplot?.data[0] ?? []).length > 0);
    expect(await page.locator('#unit-name').textContent()).toBe(HOSTILE);
    expect(await page.locator('main img').count()).toBe(0);
    expect(dialogs).toEqual([]);
  });
});

