/**
 * systemg's state files, written the way systemg (quick-xml) writes them: a root element holding one `<services>`
 * element per entry, no XML declaration, no indentation. The structures are the ones issue 15 quotes.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SgService { name: string; pid?: number; status?: string }

/** `<PidFile><services><name>web</name><pid>42</pid></services>…</PidFile>` for the services with a pid. */
export const pidXml = (services: readonly SgService[]): string =>
  `<PidFile>${services.filter((s) => s.pid !== undefined).map((s) => `<services><name>${s.name}</name><pid>${s.pid}</pid></services>`).join('')}</PidFile>`;

/** `<ServiceStateFile>` with v0.66 keys `v2:{project}:{service}`, or v0.33 keys (the name as given, e.g. a hash). */
export const stateXml = (services: readonly SgService[], project?: string): string =>
  `<ServiceStateFile>${services.map((s) => `<services><name>${project === undefined ? s.name : `v2:${project}:${s.name}`}</name>` +
    `<state><status>${s.status ?? 'running'}</status>${s.pid === undefined ? '' : `<pid>${s.pid}</pid>`}` +
    `<started_at>2026-12-01T10:00:00Z</started_at></state></services>`).join('')}</ServiceStateFile>`;

/** Writes both files into `dir` as systemg does: to a temporary name, then renamed over the old file. */
export function writeSystemgState(dir: string, services: readonly SgService[], project?: string): void {
  for (const [name, text] of [['pid.xml', pidXml(services)], ['state.xml', stateXml(services, project)]] as const) {
    writeFileSync(join(dir, `.${name}.tmp`), text);
    renameSync(join(dir, `.${name}.tmp`), join(dir, name));
  }
}
