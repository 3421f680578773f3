/** How units are named when a target does not name its own: one rule for the library and the CLI. */
import { basename } from 'node:path';

/** The unit of a bare pid: `pid-1234`. */
export function unitOfPid(pid: number): string {
  return `pid-${pid}`;
}

/** The unit of a pid file, named after the file: `/run/web.pid` → `web`. */
export function unitOfPidFile(path: string): string {
  return basename(path).replace(/\.pid$/, '');
}

/** The unit of a cgroup, named after its last path element: `system.slice/web.service` → `web.service`. */
export function unitOfCgroup(path: string): string {
  return path.replace(/\/+$/, '').split('/').pop() || path;
}
