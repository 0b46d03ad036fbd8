// Run first by every npm script (package.json): on an older Node.js the tools would fail later
// with an obscure syntax or API error, so say at once which version is needed. CommonJS and
// plain syntax on purpose, so that any Node.js can run it.
const { engines } = require('../package.json');
const needed = Number(/(\d+)/.exec(engines.node)[1]);
const running = Number(process.versions.node.split('.')[0]);
if (running < needed) {
  process.stderr.write(
    `This project needs Node.js ${engines.node} (package.json "engines"); this is Node.js ${process.version}. Install Node.js ${needed} or newer (e.g. \`nvm install ${needed}\`) and run the command again.\n`,
  );
  process.exit(1);
}
