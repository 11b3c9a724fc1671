// Compiles contracts/*.sol with solc-js (standard JSON) into build/<Name>.json = { abi, bytecode, deployedBytecode }.
// bytecode is the 0x-prefixed creation code, deployedBytecode the runtime code (predeploys). Usage: node compile.js [contractsDir] [buildDir]
'use strict';
const fs = require('fs');
const path = require('path');
const solc = require('solc');

const srcDir = path.resolve(process.argv[2] || path.join(__dirname, 'contracts'));
const outDir = path.resolve(process.argv[3] || path.join(__dirname, 'build'));

const sources = {};
for (const f of fs.readdirSync(srcDir).filter((f) => f.endsWith('.sol')).sort()) {
  sources[f] = { content: fs.readFileSync(path.join(srcDir, f), 'utf8') };
}
if (Object.keys(sources).length === 0) {
  console.error(`compile.js: no .sol files in ${srcDir}`);
  process.exit(1);
}

const input = {
  language: 'Solidity',
  sources,
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: 'cancun',
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
  },
};

const output = JSON.parse(solc.compile(JSON.stringify(input)));
const diags = output.errors || [];
for (const d of diags) console.error(d.formattedMessage || d.message);
if (diags.some((d) => d.severity === 'error')) {
  console.error('compile.js: solc reported errors');
  process.exit(1);
}

fs.mkdirSync(outDir, { recursive: true });
const written = [];
for (const [file, contracts] of Object.entries(output.contracts || {})) {
  for (const [name, c] of Object.entries(contracts)) {
    const code = c.evm.bytecode.object;
    if (!code) continue; // interfaces and abstract contracts have no creation code
    const art = { contractName: name, sourceName: file, compiler: solc.version(), abi: c.abi, bytecode: '0x' + code, deployedBytecode: '0x' + c.evm.deployedBytecode.object };
    fs.writeFileSync(path.join(outDir, `${name}.json`), JSON.stringify(art, null, 2) + '\n');
    written.push(name);
  }
}
console.log(`compiled ${written.join(', ')} with solc ${solc.version()}`);
