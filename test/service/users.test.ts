import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addUser, authenticate, ensureFirstAdmin, readUsers, removeUser } from '../../pipelines/users.js';
import { tempSetup } from './helpers.js';

describe('dashboard accounts', () => {
  it('stores only scrypt hashes, authenticates, and refuses weak passwords and bad names', async () => {
    const setup = tempSetup('users');
    const file = join(setup.dir, 'users.json');
    try {
      addUser(file, 'li.leader', 'leader', 'correct horse battery');
      expect(readFileSync(file, 'utf8')).not.toContain('correct horse battery');
      expect((await authenticate(file, 'li.leader', 'correct horse battery'))?.role).toBe('leader');
      expect(await authenticate(file, 'li.leader', 'wrong password!!')).toBeNull();
      expect(await authenticate(file, 'nobody', 'correct horse battery')).toBeNull();
      expect(() => addUser(file, 'x', 'admin', 'long enough password')).toThrow(/用户名/);
      expect(() => addUser(file, 'short.pw', 'admin', 'short')).toThrow(/10/);
    } finally {
      setup.cleanup();
    }
  });

  it('creates the first admin with a generated password once, and keeps the last admin', async () => {
    const setup = tempSetup('users-admin');
    const file = join(setup.dir, 'users.json');
    try {
      const first = ensureFirstAdmin(file)!;
      expect(first.password.length).toBeGreaterThanOrEqual(12);
      expect((await authenticate(file, 'admin', first.password))?.role).toBe('admin');
      expect(ensureFirstAdmin(file)).toBeNull();
      const other = ensureFirstAdmin(join(setup.dir, 'other.json'))!;
      expect(other.password).not.toBe(first.password);
      expect(() => removeUser(file, 'admin')).toThrow(/最后一个管理员/);
      addUser(file, 'ops', 'admin', 'another long password');
      removeUser(file, 'admin');
      expect(readUsers(file).map((u) => u.name)).toEqual(['ops']);
    } finally {
      setup.cleanup();
    }
  });
});
