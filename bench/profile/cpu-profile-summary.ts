/** The parts of a V8 `.cpuprofile` (as `node --cpu-prof` writes it) that the summary reads. */
export interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }>;
  samples: number[];
  timeDeltas: number[];
}

/** One function's share of a profile. */
export interface ProfileRow {
  name: string;
  /** Percent of all samples spent in the function itself. */
  selfPercent: number;
  /** Percent of all samples with the function on the stack. */
  totalPercent: number;
}

/** Where a function lives, shortened to the package or the project file. */
function location(url: string, line: number): string {
  if (!url) return '';
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  const short =
    modules >= 0
      ? path.slice(modules + '/node_modules/'.length)
      : path.replace(/^.*\/(libs|bench|dist-test|apps)\//, '$1/');
  return `${short}:${line + 1}`;
}

/**
 * Self and total time per function of a CPU profile, heaviest self time
 * first. Functions are told apart by name and place; recursion counts once
 * toward a stack's total.
 */
export function summarizeProfile(profile: CpuProfile): ProfileRow[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const key = (id: number): string => {
    const frame = byId.get(id)?.callFrame;
    if (!frame) return '?';
    const where = location(frame.url, frame.lineNumber);
    return `${frame.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  for (const sample of profile.samples) {
    const name = key(sample);
    self.set(name, (self.get(name) ?? 0) + 1);
    const seen = new Set<string>();
    for (let id: number | undefined = sample; id !== undefined; id = parent.get(id)) {
      const frame = key(id);
      if (seen.has(frame)) continue;
      seen.add(frame);
      total.set(frame, (total.get(frame) ?? 0) + 1);
    }
  }
  const count = profile.samples.length || 1;
  return [...total.keys()]
    .map((name) => ({
      name,
      selfPercent: (100 * (self.get(name) ?? 0)) / count,
      totalPercent: (100 * (total.get(name) ?? 0)) / count,
    }))
    .sort((a, b) => b.selfPercent - a.selfPercent);
}
