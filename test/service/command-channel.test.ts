import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CliError } from '../../pipelines/cli-error.js';
import { codeVersion, openCommandChannel, runThroughService, type CommandChannel } from '../../pipelines/command-channel.js';
import { Warehouse } from '../../pipelines/warehouse.js';
import { tempSetup } from './helpers.js';

/**
 * A command beside a service that started before the program was updated (git pull, npm ci): the
 * service would run it with the modules it loaded at start, which no longer fit the new ones — once
 * a loader error ("does not provide an export named …"). It is refused with what to do instead.
 */
describe('the command channel after an update', () => {
  const setup = tempSetup('channel');
  let warehouse: Warehouse;
  const channels: CommandChannel[] = [];
  beforeAll(async () => {
    warehouse = await Warehouse.open(setup.config.db);
    vi.stubEnv('HOTLINE_DATA_DIR', setup.config.dataDir);
    vi.stubEnv('HOTLINE_DB', setup.config.db);
  });
  afterAll(async () => {
    for (const channel of channels) await channel.close();
    vi.unstubAllEnvs();
    warehouse.close();
    setup.cleanup();
  });

  it('runs the command in a service of the same program, and refuses it, saying to restart, in one started before an update', async () => {
    let ran = 0;
    const open = (code?: string) =>
      openCommandChannel({ config: setup.config, warehouse, isReadCommand: () => true, run: async () => (ran++, 0), code }).then((channel) => (channels.push(channel), channel));
    await open();
    expect(await runThroughService(['status'])).toBe(0);
    expect(ran).toBe(1);
    await channels.pop()!.close();
    await open(String(Number(codeVersion()) - 60_000));
    const refused = await runThroughService(['status']).then(() => null, (error: unknown) => error);
    expect(refused).toBeInstanceOf(CliError);
    expect((refused as CliError).message).toMatch(/启动后程序文件有更新.*请重启服务.*restart it/);
    expect(ran).toBe(1);
  });
});
