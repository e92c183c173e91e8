#!/usr/bin/env node
// The `xaiqc` command. The workspace ships TypeScript sources; tsx loads them directly.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
