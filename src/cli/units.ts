/**
 * Human units for flags and tables. Durations: `500ms 5s 15m 12h 7d`, or combinations largest first (`1h30m`).
 * Sizes: a plain byte count (`1024`) or a number with a unit; `KiB MiB GiB TiB` are powers of 1024 and `KB MB GB TB`
 * powers of 1000, matched without regard to case (`10mib`), so every size is a number of bytes, never bits.
 */
import { PipelineError } from '../errors.js';

const DURATION_UNITS_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000, ms: 1 };
const SIZE_UNITS: Record<string, number> = {
  b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40,
};

/** The accepted duration forms, as error messages and help text quote them. */
export const DURATION_FORMS = '500ms, 5s, 15m, 12h, 7d or combinations such as 1h30m';
/** The accepted size forms, as error messages and help text quote them. */
export const SIZE_FORMS = '512B, 256KiB, 10MiB, 1GiB (powers of 1024), 1KB, 1MB, 1GB (powers of 1000) or a byte count';

function usage(flag: string, text: string, forms: string): PipelineError {
  return new PipelineError('E_USAGE', `${flag}: '${text}' is not valid; use ${forms}`);
}

/** Parses a duration such as `15m` or `1h30m` into whole milliseconds (> 0); E_USAGE naming `flag` otherwise. */
export function parseDurationMs(text: string, flag: string): number {
  const parts = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/.test(text) ? text.match(/\d+(?:\.\d+)?(?:ms|s|m|h|d)/g) : null;
  if (!parts) throw usage(flag, text, DURATION_FORMS);
  let total = 0;
  let previousScale = Infinity;
  for (const part of parts) {
    const [, amount = '', unit = ''] = /^([\d.]+)(\D+)$/.exec(part) ?? [];
    const scale = DURATION_UNITS_MS[unit] ?? NaN;
    // Largest unit first and each unit once: `30m1h` or `5s5s` is more likely a typo than a wish.
    if (!(scale < previousScale)) throw usage(flag, text, DURATION_FORMS);
    previousScale = scale;
    total += Number(amount) * scale;
  }
  const ms = Math.round(total);
  if (!(ms > 0) || !Number.isSafeInteger(ms)) throw usage(flag, text, DURATION_FORMS);
  return ms;
}

/** Parses a size such as `256KiB`, `1GB` or `1024` into whole bytes (> 0); E_USAGE naming `flag` otherwise. */
export function parseSizeBytes(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s?([a-z]*)$/i.exec(text);
  const scale = m ? SIZE_UNITS[(m[2] || 'b').toLowerCase()] : undefined;
  if (!m || scale === undefined) throw usage(flag, text, SIZE_FORMS);
  const bytes = Number(m[1]) * scale;
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw usage(flag, text, SIZE_FORMS);
  return bytes;
}

/** `1536` → `1.5 KiB`; powers of 1024, one decimal from KiB up; `–` for null (not measured). */
export function formatBytes(bytes: number | null): string {
  if (bytes === null || !Number.isFinite(bytes)) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let i = 0;
  while (Math.abs(value) >= 1024 && i < units.length - 1) {
    value /= 1024;
    i += 1;
  }
  return i === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${units[i]}`;
}

/** Bytes per second as `1.5 KiB/s`; `–` for null. */
export function formatRate(bytesPerSec: number | null): string {
  return bytesPerSec === null || !Number.isFinite(bytesPerSec) ? '–' : `${formatBytes(bytesPerSec)}/s`;
}

/** Milliseconds as at most the two largest non-zero units: `90000` → `1m30s`, `500` → `500ms`, `0` → `0s`. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return ms > 0 ? `${Math.round(ms)}ms` : '0s';
  let rest = Math.floor(ms / 1_000) * 1_000;
  const parts: string[] = [];
  for (const unit of ['d', 'h', 'm', 's']) {
    const scale = DURATION_UNITS_MS[unit] ?? 1;
    const n = Math.floor(rest / scale);
    rest -= n * scale;
    if (n > 0) parts.push(`${n}${unit}`);
  }
  return parts.slice(0, 2).join('');
}
