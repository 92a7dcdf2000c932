#!/usr/bin/env node
// The `lf-studio` command: a thin launcher for the bundled CLI in dist/.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const cli = join(__dirname, '..', 'dist', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write(`lf-studio: ${cli} is missing; run \`npm run build\` in ${join(__dirname, '..')} first.\n`);
  process.exit(2);
}
require(cli);
