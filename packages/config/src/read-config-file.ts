import { open } from 'node:fs/promises';
import { isKeepwatchError } from '@keepwatch/errors';
import { ConfigFileError, ConfigFileTooLargeError } from './errors.js';

/**
 * The most a config file may hold. keepwatch's own, every setting set and commented, is under
 * 10 KB; reading stops one byte past this, so `--config /dev/zero` or a log file given by
 * mistake is refused at once (reading /dev/zero whole took 1.7 s and 642 MB before it failed).
 */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

/**
 * The file's text, read up to `MAX_CONFIG_FILE_BYTES`. Throws `ConfigFileTooLargeError` past
 * that, and `ConfigFileError` when it cannot be read or is not UTF-8 (a password saved in
 * Latin-1 would otherwise arrive with U+FFFD in place of its accented letters).
 */
export async function readConfigFile(path: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readAtMost(path, MAX_CONFIG_FILE_BYTES + 1);
  } catch (error) {
    throw new ConfigFileError(path, error);
  }
  if (bytes.length > MAX_CONFIG_FILE_BYTES) throw new ConfigFileTooLargeError(path, MAX_CONFIG_FILE_BYTES);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    if (isKeepwatchError(error)) throw error;
    throw new ConfigFileError(path, error, `not UTF-8 text, line ${firstNonUtf8Line(bytes)}`);
  }
}

/** Reads until `limit` bytes or the end, whatever the file is (a FIFO from `<(…)`, a device). */
async function readAtMost(path: string, limit: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(limit);
    let size = 0;
    while (size < limit) {
      const { bytesRead } = await handle.read(buffer, size, limit - size, null);
      if (bytesRead === 0) break;
      size += bytesRead;
    }
    return buffer.subarray(0, size);
  } finally {
    await handle.close();
  }
}

function firstNonUtf8Line(bytes: Buffer): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  let start = 0;
  while (start <= bytes.length) {
    const end = bytes.indexOf(0x0a, start);
    const stop = end === -1 ? bytes.length : end;
    try {
      decoder.decode(bytes.subarray(start, stop));
    } catch {
      return line;
    }
    if (end === -1) break;
    line += 1;
    start = end + 1;
  }
  return line;
}
