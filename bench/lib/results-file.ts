import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { REPO_ROOT } from './server-process.js';

/** The machine a run measured on, as the results files record it. */
export interface MachineInfo {
  cores: number;
  cpu: string;
  memoryGiB: number;
  node: string;
  platform: string;
}

/** This machine. */
export function machineInfo(): MachineInfo {
  return {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

/**
 * Writes `content` as indented JSON to `bench/results/<fileName>` (the folder
 * is made if missing) and returns that path, relative to the repository root.
 */
export function writeResultsFile(fileName: string, content: object): string {
  const relative = `bench/results/${fileName}`;
  mkdirSync(`${REPO_ROOT}/bench/results`, { recursive: true });
  writeFileSync(`${REPO_ROOT}/${relative}`, `${JSON.stringify(content, null, 2)}\n`);
  return relative;
}
