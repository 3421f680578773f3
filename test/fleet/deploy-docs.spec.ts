/** The copyable setup of docs/deploy.md, checked with the tools that will read it: systemd, promtool, procstream. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bin, ensureBuilt, root } from '../helpers/bin.js';
import { freePort } from '../helpers/prometheus-server.js';

const deploy = (file: string) => join(root, 'docs/deploy', file);
const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'procstream-deploy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const unitText = readFileSync(deploy('procstream.service'), 'utf8');
/** ExecStart's arguments after the binary, with the line continuations joined. */
const execArgs = /^ExecStart=\/usr\/bin\/procstream (.+?)$/ms.exec(unitText.replace(/\\\n\s*/g, ''))![1]!.trim().split(/\s+/);

describe('docs/deploy', () => {
  it.skipIf(!has('systemd-analyze'))('has a systemd unit that `systemd-analyze verify` accepts', () => {
    const copy = join(dir, 'procstream.service');
    writeFileSync(copy, unitText.replace('/usr/bin/procstream', `${process.execPath} ${bin}`));
    ensureBuilt();
    const r = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });

  it('runs the unit\'s ExecStart flags as they are written, with the spill directory it describes', async () => {
    ensureBuilt();
    const logDir = mkdtempSync(join(dir, 'state-')); // like StateDirectory=: owned by us, mode 0700
    const port = await freePort();
    const args = execArgs.map((a) => a.replace('0.0.0.0:9465', `127.0.0.1:${port}`).replace('/var/lib/procstream/log', join(logDir, 'log')));
    expect(args).toContain(`127.0.0.1:${port}`);
    const r = spawnSync(process.execPath, [bin, ...args, '--count', '2'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`metrics at http://127.0.0.1:${port}/metrics`);
  });

  it.skipIf(!has('promtool'))('has a Prometheus config and rules that promtool accepts', () => {
    const config = join(dir, 'prometheus.yml');
    writeFileSync(config, readFileSync(deploy('prometheus.yml'), 'utf8')
      .replace('/etc/prometheus/procstream.rules.yml', deploy('procstream.rules.yml'))
      .replace('/etc/prometheus/targets/procstream.json', deploy('procstream-targets.json')));
    const r = spawnSync('promtool', ['check', 'config', config], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(deploy('procstream-targets.json'), 'utf8'))[0].targets.length).toBeGreaterThan(0);
  });
});
