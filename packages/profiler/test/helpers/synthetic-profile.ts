import type { CpuProfile, CpuProfileNode } from '../../src/index.js';

/**
 * A hand-made profile whose arithmetic a test can check exactly. `stack` lists each sample's
 * frames root-first by function name; every sample lasts `stepUs`.
 */
export function syntheticProfile(stacks: string[][], stepUs = 1000): CpuProfile {
  const nodes: CpuProfileNode[] = [{ id: 1, callFrame: frame('(root)', ''), children: [] }];
  const samples: number[] = [];
  for (const stack of stacks) {
    let parent = nodes[0]!;
    for (const name of stack) {
      let child = nodes.find((n) => parent.children!.includes(n.id) && n.callFrame.functionName === name);
      if (child === undefined) {
        child = {
          id: nodes.length + 1,
          callFrame: frame(name, name.startsWith('(') ? '' : 'file:///app/dist/app.js'),
          children: [],
        };
        nodes.push(child);
        parent.children!.push(child.id);
      }
      parent = child;
    }
    samples.push(parent.id);
  }
  return {
    nodes,
    startTime: 1_000_000,
    // The first sample lands one step after startTime, and the last lasts until endTime.
    endTime: 1_000_000 + stepUs * (samples.length + 1),
    samples,
    timeDeltas: samples.map(() => stepUs),
  };
}

function frame(functionName: string, url: string) {
  const line = functionName.length;
  return { functionName, scriptId: '1', url, lineNumber: url ? line : -1, columnNumber: url ? 4 : -1 };
}
