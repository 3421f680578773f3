/**
 * systemg's state directory, decoded. Pure: text in, values out. systemg (v0.33 through v0.66) writes two files with
 * quick-xml, each a root element holding one `<services>` element per entry:
 * - `pid.xml`: `<PidFile><services><name>web</name><pid>42</pid></services>…</PidFile>`
 * - `state.xml`: `<ServiceStateFile><services><name>v2:shop:web</name><state><status>running</status><pid>42</pid>
 *   </state></services>…</ServiceStateFile>`; v0.66 keys an entry `v2:{project}:{service}`, v0.33 by a config hash.
 * Parsed with fast-xml-parser (a maintained, dependency-free XML parser) rather than by hand.
 */
import { createRequire } from 'node:module';
import type * as FastXmlParser from 'fast-xml-parser';

/** fast-xml-parser, loaded on the first systemg file rather than at import: loading it costs ~50 ms of CPU that every
 * command paid through the library's index (replay, summarize, `--version`), though only systemg users need it. */
const require = createRequire(import.meta.url);
let xml: { parser: FastXmlParser.XMLParser; validator: typeof FastXmlParser.XMLValidator } | undefined;
function loadXml(): NonNullable<typeof xml> {
  if (xml !== undefined) return xml;
  const { XMLParser, XMLValidator } = require('fast-xml-parser') as typeof FastXmlParser;
  xml = {
    parser: new XMLParser({
      ignoreAttributes: true,
      parseTagValue: false, // keep text: a pid is checked as digits, a name `007` stays a name
      trimValues: true,
      isArray: (name, jpath) => String(jpath).split('.').length === 2 && name === 'services',
    }),
    validator: XMLValidator,
  };
  return xml;
}

/** One service as systemg's files describe it. */
export interface SystemgService {
  /** The service's name: pid.xml's `<name>`, or the last part of a v2 state key. */
  service: string;
  /** The project of a v2 state key (or of the subdirectory the files came from); null when none is known. */
  project: string | null;
  /** The live pid, or null when systemg records none (stopped, failed, not started). */
  pid: number | null;
  /** systemg's status (`running`, `stopped`, `failed`, …); null when only pid.xml names the service. */
  status: string | null;
}

interface Entry { name?: unknown; pid?: unknown; state?: { status?: unknown; pid?: unknown } }

/** Parses one XML file's text; throws an Error naming the line of the first problem. */
function entries(text: string, root: string): Entry[] {
  const { parser, validator } = loadXml();
  const valid = validator.validate(text);
  if (valid !== true) throw new Error(`line ${valid.err.line}: ${valid.err.msg}`);
  const doc = parser.parse(text) as Record<string, unknown>;
  const top = doc[root];
  if (top === undefined) throw new Error(`expected a <${root}> root element`);
  if (top === '' || top === null) return []; // `<PidFile></PidFile>`: no services yet
  if (typeof top !== 'object') throw new Error(`<${root}> holds text, not <services> entries`);
  return ((top as { services?: unknown }).services ?? []) as Entry[];
}

const text = (x: unknown): string | null => (typeof x === 'string' && x !== '' ? x : typeof x === 'number' ? String(x) : null);

function pidOf(x: unknown, where: string): number | null {
  const t = text(x);
  if (t === null || t === '0') return null;
  if (!/^\d{1,10}$/.test(t) || Number(t) > 2 ** 22) throw new Error(`${where}: pid '${t.slice(0, 20)}' is not a process id`);
  return Number(t);
}

/** The services of a `pid.xml` text, in file order. Throws an Error (with the line) for XML or entries it cannot read. */
export function parseSystemgPidFile(xml: string): SystemgService[] {
  return entries(xml, 'PidFile').map((e, i) => {
    const service = text(e.name);
    if (service === null) throw new Error(`entry ${i + 1}: <services> without a <name>`);
    return { service, project: null, pid: pidOf(e.pid, `service '${service}'`), status: null };
  });
}

/** The entries of a `state.xml` text; a `v2:{project}:{service}` key is split, any other key is kept as the service. */
export function parseSystemgStateFile(xml: string): SystemgService[] {
  return entries(xml, 'ServiceStateFile').map((e, i) => {
    const key = text(e.name);
    if (key === null) throw new Error(`entry ${i + 1}: <services> without a <name>`);
    const v2 = /^v2:([^:]*):(.+)$/.exec(key);
    const state = typeof e.state === 'object' && e.state !== null ? e.state : {};
    return {
      service: v2 ? (v2[2] as string) : key,
      project: v2 && v2[1] !== '' ? (v2[1] as string) : null,
      pid: pidOf(state.pid, `service '${key}'`),
      status: text(state.status),
    };
  });
}
