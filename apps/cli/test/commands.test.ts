import { describe, expect, it } from 'vitest';
import { commands } from '../src/commands/index.js';

describe('the command list', () => {
  it('names each command by the words of the module it loads', async () => {
    for (const entry of commands) {
      const command = await entry.load();
      expect(command.words).toEqual(entry.words);
    }
    const words = commands.map((entry) => entry.words.join(' '));
    expect(new Set(words).size).toBe(words.length);
  });
});
