import { describe, expect, it } from 'vitest';
import {
  parseBlkioV1, parseCgroupMounts, parseCgroupProcs, parseCpuStatV2, parseIoStatV2, parseKeyedCounters, parseProcCgroup,
  parseSingleCounter,
} from '../../src/formats/parse-cgroup.js';
import { parseNetDev } from '../../src/formats/parse-net-dev.js';

// Lines as this CI host's kernel (6.x, hybrid: v1 controllers plus an empty v2 at /sys/fs/cgroup/unified) writes them.
const MOUNTINFO = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
42 23 0:39 / /mnt/with\\040space rw,relatime - cgroup cgroup rw,blkio`;

describe('cgroup file parsers', () => {
  it('finds the v2 mount and each v1 controller of a hybrid host, unescaping mount points', () => {
    const mounts = parseCgroupMounts(MOUNTINFO);
    expect(mounts.v2).toBe('/sys/fs/cgroup/unified');
    expect(Object.fromEntries(mounts.v1)).toEqual({
      cpu: '/sys/fs/cgroup/cpu', cpuacct: '/sys/fs/cgroup/cpuacct', memory: '/sys/fs/cgroup/memory',
      'name=systemd': '/sys/fs/cgroup/systemd', blkio: '/mnt/with space',
    });
  });

  it('reads v2 cpu.stat, and refuses one without the usage fields', () => {
    expect(parseCpuStatV2('usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 0\n')).toEqual({ usageUsec: 1500, userUsec: 1000, systemUsec: 500 });
    expect(parseCpuStatV2('nr_periods 0\n')).toBeNull();
  });

  it('sums io.stat and blkio bytes over devices, leaving out the Total lines', () => {
    expect(parseIoStatV2('8:0 rbytes=100 wbytes=20 rios=1 wios=1 dbytes=0 dios=0\n259:0 rbytes=5 wbytes=7 rios=1 wios=1\n'))
      .toEqual({ readBytes: 105, writeBytes: 27 });
    expect(parseBlkioV1('8:0 Read 100\n8:0 Write 20\n8:0 Sync 120\n8:0 Total 120\n8:16 Read 1\n8:16 Write 2\nTotal 123\n'))
      .toEqual({ readBytes: 101, writeBytes: 22 });
  });

  it('reads keyed counters, single counters, member lists and /proc/PID/cgroup lines', () => {
    expect(Object.fromEntries(parseKeyedCounters('anon 4096\nfile 8192\nbad\nx y\n'))).toEqual({ anon: 4096, file: 8192 });
    expect(parseSingleCounter('123456\n')).toBe(123456);
    expect(parseSingleCounter('max\n')).toBeNull();
    expect(parseCgroupProcs('12\n345\n\n')).toEqual([12, 345]);
    expect(parseProcCgroup('4:memory:/a/b\n0::/\n')).toEqual([{ controllers: ['memory'], path: '/a/b' }, { controllers: [], path: '/' }]);
  });
});

describe('parseNetDev', () => {
  const DEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo: 5000123    1200    0    0    0     0          0         0  5000123    1200    0    0    0     0       0          0
  eth0:  100  2 0 0 0 0 0 0  300 4 0 0 0 0 0 0
`;
  it('sums every interface, or only the ones asked for', () => {
    expect(parseNetDev(DEV)).toEqual({ rxBytes: 5000223, txBytes: 5000423 });
    expect(parseNetDev(DEV, new Set(['eth0']))).toEqual({ rxBytes: 100, txBytes: 300 });
    expect(parseNetDev('Inter-|\n face |\n')).toBeNull();
  });
});
