/** A real terminal for screen tests: a detached tmux session of a given size, read back with capture-pane. */
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/** One tmux server (its own socket, so tests never touch a user's sessions) running one command in one pane. */
export class TmuxScreen {
  private readonly socket = `procstream-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  constructor(command: string, { columns = 80, rows = 24, env = {} as Record<string, string> } = {}) {
    const vars = Object.entries(env).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ');
    this.tmux('new-session', '-d', '-s', 't', '-x', String(columns), '-y', String(rows), `env ${vars} ${command}`);
    this.tmux('set-option', '-t', 't', 'remain-on-exit', 'on'); // keep the last screen to read after the command exits
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  }

  /** The visible screen, one string per row (trailing blanks trimmed by tmux). */
  capture(): string[] {
    return this.tmux('capture-pane', '-p', '-t', 't').replace(/\n$/, '').split('\n');
  }

  /** The scrollback and the screen, one string per row: what scrolled away too. */
  history(): string[] {
    return this.tmux('capture-pane', '-p', '-S', '-', '-t', 't').replace(/\n+$/, '').split('\n');
  }

  /** Types keys into the pane, as a user would. */
  keys(...keys: string[]): void {
    this.tmux('send-keys', '-t', 't', ...keys);
  }

  /**
   * Whether the command has exited, and its status: 128 + N when signal N killed it. Null while it runs.
   *
   * tmux marks a pane dead when its pty closes, and fills in the status only when it reaps the child on SIGCHLD. The
   * tmux 3.3a server here sometimes misses that SIGCHLD (seen with a plain `sleep 1` too): the command has exited and
   * is a zombie, `pane_dead` is 1, and the status stays empty for good. So while the status is missing we send the
   * server a SIGCHLD of our own, which makes it run its waitpid loop and record the real status.
   */
  exitStatus(): number | null {
    const [dead, status = '', signal = ''] = this.tmux('display-message', '-p', '-t', 't', '#{pane_dead}|#{pane_dead_status}|#{pane_dead_signal}').trim().split('|');
    if (dead !== '1') return null;
    if (status !== '') return Number(status);
    if (signal !== '') return 128 + Number(signal);
    try { process.kill(Number(this.tmux('display-message', '-p', '#{pid}').trim()), 'SIGCHLD'); } catch { /* server gone */ }
    return null;
  }

  /** Polls the screen until `test` holds (or `timeoutMs` passes, then throws with the last screen). */
  async until(test: (screen: string[]) => boolean, timeoutMs = 15_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.capture();
      if (test(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`screen never matched; last screen:\n${screen.join('\n')}`);
      await sleep(100);
    }
  }

  /** Ends the tmux server and whatever still runs in it. */
  close(): void {
    try { this.tmux('kill-server'); } catch { /* already gone */ }
  }
}
