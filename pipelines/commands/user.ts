import { createInterface } from 'node:readline';
import { CliError, usageError } from '../cli-error.js';
import { ROLES, addUser, readUsers, removeUser, usersFile, type Role } from '../users.js';
import { COMMON_HELP, commandConfig, log, parseCommand, printJson } from './common.js';

const HELP = `hotline user — 管理看板账户 / manage dashboard accounts
Usage:
  hotline user add NAME --role leader|analyst|admin [--password P]
      without --password: typed twice at a terminal (not shown), or the first line of standard input
  hotline user list [--json]
  hotline user remove NAME
Roles: leader 看报告与页面; analyst + SQL 控制台与导出; admin + 数据与设置.
${COMMON_HELP}`;

/** One line from a pipe: the first line, without waiting for the end of the input. */
async function readLine(): Promise<string> {
  const lines = createInterface({ input: process.stdin, terminal: false });
  try {
    for await (const line of lines) return line.replace(/\r$/, '');
    return '';
  } finally {
    lines.close();
    process.stdin.pause();
  }
}

/** A password typed at a terminal: nothing is echoed, Enter ends it, Ctrl-C cancels. */
function readHidden(prompt: string): Promise<string> {
  const input = process.stdin;
  // Echo off before the prompt appears: whatever is typed after it is never shown.
  input.setRawMode(true);
  process.stderr.write(prompt);
  input.resume();
  input.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (error?: Error) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish();
        if (char === '\u0003') return finish(new CliError('已取消 / cancelled'));
        if (char === '\u007f' || char === '\b') typed = [...typed].slice(0, -1).join('');
        else if (char >= ' ') typed += char;
      }
    };
    input.on('data', onData);
  });
}

/** The password for `user add`: typed twice without echo at a terminal, or the first line of a pipe. */
async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) return readLine();
  const password = await readHidden('密码 / password: ');
  if ((await readHidden('再输入一次 / again: ')) !== password) throw new CliError('两次输入的密码不一致 / the passwords differ', 2);
  return password;
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
      const password = values.password ?? (await readPassword());
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
