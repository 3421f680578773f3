import { type FileHandle, lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  asyncScheduler, concat, concatMap, defer, EMPTY, filter, finalize, from, map, of, type Observable, type SchedulerLike, throwError,
} from 'rxjs';
import { EVENT_FORMAT_VERSION, NO_UNIT, type DroppedEvent, type EvictedEvent, type MetricEvent } from '../events.js';
import { PipelineError } from '../errors.js';
import { decodeLogEvent } from '../formats/log-line.js';
import { openSegment } from './open-segment.js';
import { ourLiveSegments } from './our-segments.js';
import { decodeMetricEvent, readNdjson, type BadLine, type LineDecoder } from './read-ndjson.js';
import { SYSTEMG_FILE_PATTERN, systemgDecoder } from '../formats/systemg-format.js';
import { unwrapVerbatim, type Verbatim } from '../formats/verbatim.js';

/** What `replay` needs of an event to filter it: a type, a unit and a timestamp. */
export interface ReplayableEvent {
  type: string;
  unit: string;
  ts: number;
}

/** Options of `replay`: unwrapping, filters (the CLI's `--unit --since --until`) and bad-line handling. */
export interface ReplayOptions<E extends ReplayableEvent = MetricEvent> {
  /** Emit the sample or unit-down inside each `evicted` event instead of the eviction itself. Default true. */
  unwrap?: boolean;
  /** Only events of this unit (or these units). */
  unit?: string | readonly string[];
  /** Only events with `ts` ≥ sinceMs (ms since epoch). */
  sinceMs?: number;
  /** Only events with `ts` ≤ untilMs (ms since epoch). */
  untilMs?: number;
  /** Only events with `ts` < beforeMs (ms since epoch): an exclusive bound, as the CLI's `--until` means. */
  beforeMs?: number;
  /** systemg `unit_hash` → unit name, as an object or the path of a JSON file holding one. Default: the hash. */
  unitNames?: Readonly<Record<string, string>> | string;
  /** Error with E_PARSE on the first bad line instead of skipping it. Default false. */
  strict?: boolean;
  /** Called for every skipped line (torn tails included). */
  onBadLine?: (bad: BadLine) => void;
  /** Longest accepted line, bytes. Default 1 MiB. */
  maxLineBytes?: number;
  /** Only our segments whose range reaches this sequence number, and no systemg files (a tail of our own log). */
  fromSeq?: number;
  /** Read exactly these segments of ours, opened and checked by the caller (`openLogTail`), instead of listing `dir`. */
  segments?: readonly ReplaySegment[];
  /** Clock for the `ts` of the `dropped` events that count skipped lines. */
  scheduler?: SchedulerLike;
  /** Decoder of the lines of our segments (see readNdjson); `decodeOpenEvent` keeps custom event types. */
  decode?: LineDecoder<E>;
  /** While the last value is true, reading pauses (wire a writer's `onPressure` here). */
  paused?: Observable<boolean>;
  /** Called with the size of every chunk read, bytes: a progress bar's feed. */
  onRead?: (bytes: number) => void;
  /** A slot filled with the line of each event emitted unchanged from it, for a writer to write through (readNdjson's `verbatim`). */
  verbatim?: Verbatim;
}

/** One of our segments, already opened: what `openLogTail` hands to `replay`. */
export interface ReplaySegment {
  name: string;
  compressed: boolean;
  handle: FileHandle;
}

interface ReplayFile {
  name: string;
  /** systemg's decoder for its files; ours use the caller's. */
  decode?: LineDecoder;
  /** One of our segments (their lines may leave out constant text; see log-line.ts). */
  ours?: boolean;
  /** gzip-compressed. */
  compressed?: boolean;
  /** With a unit filter: the JSON strings one of which a wanted line must hold (see readNdjson's `anyOf`). */
  anyOf?: string[];
  /** Opened by the caller. */
  handle?: FileHandle;
}

const CHUNK = 256 * 1024;

/** Our segments in sequence order, after systemg's files in time order; symlinks and foreign files are skipped. */
async function replayFiles(dir: string, names: Readonly<Record<string, string>>, units?: Set<string>, fromSeq?: number): Promise<ReplayFile[]> {
  const systemg = systemgDecoder(names);
  // systemg lines name the unit by hash: a wanted line holds a hash that maps to a wanted unit, or the unit itself
  const hashes = units && [...units, ...Object.keys(names).filter((h) => units.has(names[h] as string))];
  const quote = (list?: string[]) => list?.map((u) => JSON.stringify(u));
  const entries = await readdir(dir);
  const theirs: [number, ReplayFile][] = [];
  for (const name of fromSeq === undefined ? entries : []) { // a tail of our own log (fromSeq) holds no systemg file
    const sg = SYSTEMG_FILE_PATTERN.exec(name);
    if (sg && (await lstat(join(dir, name))).isFile()) theirs.push([Number(sg[1]), { name, decode: systemg, anyOf: quote(hashes) }]);
  }
  const byKey = (a: [number, ReplayFile], b: [number, ReplayFile]) => a[0] - b[0];
  // A segment a bucket segment replaces is not read: its events are in the bucket segment.
  const live = (await ourLiveSegments(dir, entries)).filter((s) => fromSeq === undefined || s.toSeq >= fromSeq)
    .map((s): ReplayFile => ({ name: s.name, compressed: s.compressed, ours: true, anyOf: quote(units && [...units]) }));
  return [...theirs.sort(byKey).map(([, f]) => f), ...live];
}

const loadNames = async (names: ReplayOptions['unitNames']): Promise<Readonly<Record<string, string>>> =>
  typeof names === 'string' ? (JSON.parse(await readFile(names, 'utf8')) as Record<string, string>) : (names ?? {});

/**
 * Events from the spill segments in `dir` (and systemg `metrics-*.jsonl` files), oldest first, streamed file by file
 * so memory stays bounded whatever the directory holds. Lines that cannot be read (a torn tail after a crash) are
 * skipped and counted: after each file with such lines comes one `dropped` event (`source: 'replay'`,
 * `reason: 'bad-line'`), which the unit and time filters let through. With a `unit` filter (and not `strict`), lines
 * that cannot concern the unit are skipped unparsed, so bad lines among them go unreported.
 */
export function replay<E extends ReplayableEvent = MetricEvent>(dir: string, options: ReplayOptions<E> = {}): Observable<E | MetricEvent> {
  const { unwrap = true, unit, sinceMs = -Infinity, untilMs = Infinity, beforeMs = Infinity, strict, onBadLine, maxLineBytes } = options;
  const { scheduler = asyncScheduler, paused, onRead, verbatim } = options;
  const units = unit === undefined ? undefined : new Set(typeof unit === 'string' ? [unit] : unit);
  const keep = (e: ReplayableEvent) => e.ts >= sinceMs && e.ts <= untilMs && e.ts < beforeMs && (!units || units.has(e.unit));
  const ours = (options.decode ?? decodeMetricEvent) as LineDecoder<E | MetricEvent>;
  return defer(async () => {
    try {
      if (options.segments) return options.segments.map((s): ReplayFile => ({ ...s, ours: true }));
      return await replayFiles(dir, await loadNames(options.unitNames), units, options.fromSeq);
    } catch (error) {
      throw new PipelineError('E_SOURCE', `replay ${dir}: ${(error as Error).message}`, { cause: error });
    }
  }).pipe(
    concatMap((files) => {
      let total = 0;
      return from(files).pipe(concatMap(({ name, decode, anyOf, ours: isOurs, compressed = false, handle }) => {
        let bad = 0;
        const count = (b: BadLine) => { bad++; onBadLine?.(b); };
        let torn: PipelineError | undefined; // under strict, failed with once the lines before it are out
        const onTorn = (error: Error): void => {
          const reason = `undecodable compressed data after the last whole batch: ${error.message}`;
          if (strict) torn = new PipelineError('E_PARSE', `${name}: ${reason}`, { cause: error });
          else count({ name, line: 0, reason, excerpt: '', count: bad + 1 });
        };
        const input = openSegment(join(dir, name), {
          compressed, highWaterMark: CHUNK, onTorn, ...(onRead ? { onRead } : {}), ...(handle ? { handle } : {}),
        });
        const read = { name, strict, maxLineBytes, anyOf, onBadLine: count, ...(paused ? { paused } : {}), ...(verbatim ? { verbatim } : {}) };
        const events$ = readNdjson<E | MetricEvent>(input, { ...read, decode: decode ?? ours }).pipe(
          map((e): E | MetricEvent => {
            if (!unwrap || e.type !== 'evicted') return e;
            unwrapVerbatim(verbatim, e, (e as EvictedEvent).event);
            return (e as EvictedEvent).event;
          }),
          map((e): E | MetricEvent => (isOurs && e.type === 'sample' ? decodeLogEvent(e as MetricEvent) : e)),
          filter((e: E | MetricEvent) => keep(e)),
          finalize(() => input.destroy()), // an early unsubscribe must not leave the file open
        );
        const dropped$ = defer(() => {
          if (torn) return throwError(() => torn);
          if (bad === 0) return EMPTY;
          total += bad;
          const e: DroppedEvent = { type: 'dropped', v: EVENT_FORMAT_VERSION, unit: NO_UNIT, ts: scheduler.now(),
            source: 'replay', reason: 'bad-line', count: bad, total };
          return of(e);
        });
        return concat(events$, dropped$);
      }));
    }),
  );
}
