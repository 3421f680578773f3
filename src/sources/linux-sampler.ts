/**
 * The default sampler on Linux: process targets go to the /proc sampler, cgroup and systemd targets to the cgroup
 * sampler (created on the first such target), and every sample whose unit owns a network namespace gets its bytes.
 */
import type { MetricEvent } from '../events.js';
import { cgroupSampler, isCgroupTarget, type CgroupSampler, type CgroupSamplerOptions } from './cgroup-sampler.js';
import { netnsCounters, type NetnsCountersOptions } from './netns-counters.js';
import { procSampler, type ProcSampler, type ProcSamplerOptions } from './proc-sampler.js';
import type { Sampler, UnitTarget } from './sampler.js';

/** Options of {@link linuxSampler}: those of the samplers it routes to, and of the namespace counters. */
export interface LinuxSamplerOptions extends ProcSamplerOptions {
  cgroup?: Omit<CgroupSamplerOptions, 'scheduler'>;
  netns?: NetnsCountersOptions;
}

/** The Linux sampler: synchronous, like the two it routes to. */
export interface LinuxSampler extends Sampler {
  sample(targets: readonly UnitTarget[]): MetricEvent[];
}

/** Routes each target to the sampler that measures its kind; see the module comment. */
export function linuxSampler(options: LinuxSamplerOptions = {}): LinuxSampler {
  const processes: ProcSampler = procSampler(options);
  const net = netnsCounters({ ...(options.procRoot === undefined ? {} : { procRoot: options.procRoot }), ...options.netns });
  let cgroups: CgroupSampler | undefined;
  return {
    sample(targets) {
      const cgroupTargets = targets.filter(isCgroupTarget);
      const processTargets = cgroupTargets.length === 0 ? targets : targets.filter((t) => !isCgroupTarget(t));
      if (cgroupTargets.length > 0) {
        cgroups ??= cgroupSampler({ ...options.cgroup, ...(options.scheduler ? { scheduler: options.scheduler } : {}),
          ...(options.procRoot === undefined ? {} : { procRoot: options.procRoot }) });
      }
      const out = processes.sample(processTargets);
      if (cgroups) for (const e of cgroups.sample(cgroupTargets)) out.push(e); // also when none are left: their removal
      net.annotate(out);
      return out;
    },
    close() {
      processes.close();
      cgroups?.close();
    },
  };
}
