import { describe, expect, it } from 'vitest';
import { COMMANDS, FLAGS, flagApplies } from '../../src/cli/flags.js';
import { helpText, packageVersion } from '../../src/cli/help.js';

describe('helpText', () => {
  it.each(COMMANDS)('mentions every flag %s takes, and examples', (command) => {
    const text = helpText(command);
    for (const flag of FLAGS.filter((f) => flagApplies(f, command))) expect(text).toContain(`--${flag.name}`);
    const options = text.split('Examples:')[0] ?? '';
    for (const flag of FLAGS.filter((f) => !flagApplies(f, command))) expect(options).not.toContain(`--${flag.name} `);
    expect(text).toContain('Examples:');
    expect(text).toContain(`procstream ${command}`);
  });

  it('lists every command, the exit codes and NO_COLOR in the overview', () => {
    const text = helpText();
    for (const command of COMMANDS) expect(text).toContain(`  ${command} `);
    expect(text).toMatch(/0 success.*2 usage error.*65 bad input data.*1 any other failure/s);
    expect(text).toContain('NO_COLOR');
  });

  it('fits in 120 columns', () => {
    for (const topic of [undefined, ...COMMANDS]) {
      for (const line of helpText(topic).split('\n')) expect(line.length, line).toBeLessThanOrEqual(120);
    }
  });
});

describe('packageVersion', () => {
  it('reads the version field of package.json', () => {
    expect(packageVersion((url) => (url.pathname.endsWith('/package.json') ? '{"version":"9.8.7"}' : ''))).toBe('9.8.7');
  });
});
