import { readdir } from 'node:fs/promises';

/** The names in a profile directory, or [] when it does not exist. */
export async function filesIn(directory: string): Promise<string[]> {
  try {
    return (await readdir(directory)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

export async function profileFilesIn(directory: string): Promise<string[]> {
  return (await filesIn(directory)).filter((name) => name.endsWith('.cpuprofile'));
}
