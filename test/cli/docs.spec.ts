import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMANDS, FLAGS } from '../../src/cli/flags.js';

const doc = readFileSync(new URL('../../docs/cli.md', import.meta.url), 'utf8');

describe('docs/cli.md', () => {
  it.each(FLAGS.map((f) => f.name))('documents --%s', (name) => {
    expect(doc).toContain(`\`--${name}`);
  });

  it('documents every command, exit code and NO_COLOR', () => {
    for (const command of COMMANDS) expect(doc).toContain(`## \`procstream ${command}`);
    for (const code of ['| 0 |', '| 1 |', '| 2 |', '| 65 |']) expect(doc).toContain(code);
    expect(doc).toContain('NO_COLOR');
  });
});
