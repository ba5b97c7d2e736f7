import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { authenticate } from '../../pipelines/users.js';
import { HOTLINE_BIN, hotlineAsync, tempSetup } from './helpers.js';

/**
 * A terminal for `hotline user add`: python's pty runs the command, types the password at each
 * prompt (only once the prompt is shown), and reports everything the terminal displayed.
 */
const TERMINAL = String.raw`
import os, pty, sys, time, select
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
shown = b''
def wait_for(token):
    global shown
    end = time.time() + 60
    while token not in shown and time.time() < end:
        if select.select([fd], [], [], 0.2)[0]:
            try: shown += os.read(fd, 4096)
            except OSError: return
for prompt in (b'password: ', b'again: '):
    wait_for(prompt)
    os.write(fd, os.environ['TYPED'].encode() + b'\r')
status = None
end = time.time() + 60
while status is None and time.time() < end:
    if select.select([fd], [], [], 0.2)[0]:
        try: shown += os.read(fd, 4096)
        except OSError: pass
    done, code = os.waitpid(pid, os.WNOHANG)
    if done: status = os.waitstatus_to_exitcode(code)
sys.stdout.write(shown.decode('utf8', 'replace') + '\nEXIT %s\n' % status)
`;

const hasPython = spawnSync('python3', ['-c', 'import pty'], { encoding: 'utf8' }).status === 0;

describe('hotline user add: the password', () => {
  it('is read from a pipe as its first line, without waiting for the end of the input', async () => {
    const setup = tempSetup('user-pipe');
    try {
      const env = { HOTLINE_DATA_DIR: join(setup.dir, 'data') };
      // Two lines: the command must take the first and not wait for more.
      const result = await hotlineAsync(['user', 'add', 'wang.analyst', '--role', 'analyst'], env, { input: 'first line password\nsecond line\n' });
      expect(result.code, result.stderr).toBe(0);
      const file = join(setup.dir, 'data', 'users.json');
      expect((await authenticate(file, 'wang.analyst', 'first line password'))?.role).toBe('analyst');
      expect(await authenticate(file, 'wang.analyst', 'second line')).toBeNull();
    } finally {
      setup.cleanup();
    }
  });

  it.skipIf(!hasPython)('is typed at a terminal twice without being shown, and Enter ends it', () => {
    const setup = tempSetup('user-tty');
    try {
      const typed = 'typed at the terminal 42';
      const result = spawnSync('python3', ['-c', TERMINAL, process.execPath, HOTLINE_BIN, 'user', 'add', 'li.leader', '--role', 'leader'], {
        encoding: 'utf8',
        env: { ...process.env, HOTLINE_DATA_DIR: join(setup.dir, 'data'), TYPED: typed },
        timeout: 120_000,
      });
      expect(result.stdout).toContain('EXIT 0');
      expect(result.stdout).toContain('again: ');
      expect(result.stdout).toContain('已保存用户 li.leader');
      expect(result.stdout).not.toContain(typed);
    } finally {
      setup.cleanup();
    }
  });

  it.skipIf(!hasPython)('refuses two different passwords at a terminal', () => {
    const setup = tempSetup('user-tty-differ');
    try {
      // The confirmation differs from the first entry by one character.
      const result = spawnSync('python3', ['-c', TERMINAL.replace("os.environ['TYPED'].encode()", "(os.environ['TYPED'] + ('!' if prompt == b'again: ' else '')).encode()"), process.execPath, HOTLINE_BIN, 'user', 'add', 'zhao', '--role', 'leader'], {
        encoding: 'utf8',
        env: { ...process.env, HOTLINE_DATA_DIR: join(setup.dir, 'data'), TYPED: 'a long enough password' },
        timeout: 120_000,
      });
      expect(result.stdout).toContain('EXIT 2');
      expect(result.stdout).toContain('两次输入的密码不一致');
    } finally {
      setup.cleanup();
    }
  });
});
