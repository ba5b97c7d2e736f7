import { usageError } from '../cli-error.js';
import { ROLES, addUser, readUsers, removeUser, usersFile, type Role } from '../users.js';
import { COMMON_HELP, commandConfig, log, parseCommand, printJson } from './common.js';

const HELP = `hotline user — 管理看板账户 / manage dashboard accounts
Usage:
  hotline user add NAME --role leader|analyst|admin [--password P]   (else the password is read from standard input)
  hotline user list [--json]
  hotline user remove NAME
Roles: leader 看报告与页面; analyst + SQL 控制台与导出; admin + 数据与设置.
${COMMON_HELP}`;

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('密码 / password: ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split('\n')[0].trim();
}

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand(argv, { role: { type: 'string' }, password: { type: 'string' } }, true);
  if (values.help) return void process.stdout.write(HELP + '\n');
  const [action, name] = positionals;
  const file = usersFile(commandConfig(values));
  switch (action) {
    case 'add': {
      if (!name) throw usageError('hotline user add NAME --role ROLE');
      if (!values.role || !ROLES.includes(values.role as Role)) throw usageError(`--role 应为 ${ROLES.join(' | ')}`);
      const password = values.password ?? (await readStdin());
      const user = addUser(file, name, values.role as Role, password);
      log(`已保存用户 ${user.name}（${user.role}）/ saved`);
      return;
    }
    case 'list': {
      const users = readUsers(file).map(({ name: n, role, created }) => ({ name: n, role, created }));
      if (values.json) return printJson(users);
      for (const u of users) process.stdout.write(`${u.name}\t${u.role}\t${u.created}\n`);
      return;
    }
    case 'remove': {
      if (!name) throw usageError('hotline user remove NAME');
      removeUser(file, name);
      log(`已删除用户 ${name} / removed`);
      return;
    }
    default:
      throw usageError('hotline user add|list|remove — see hotline user --help');
  }
}
