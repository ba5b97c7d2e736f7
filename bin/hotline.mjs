#!/usr/bin/env node
// `npx hotline …` and `npm start`: the TypeScript CLI runs in this very process (tsx registers its
// loader here, no build step and no child process), so a signal sent to this process reaches the
// service itself and stopping it leaves nothing behind.
import { register } from 'tsx/esm/api';

register();
const { main, exitWhenDone } = await import('../pipelines/cli.ts');
exitWhenDone(process.argv.slice(2), await main(process.argv.slice(2)));
