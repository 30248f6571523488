#!/usr/bin/env node
// aedes-broker.js: the dev stack's second, independent MQTT 3.1.1 broker.
//
//   node scripts/aedes-broker.js --modules <dir with node_modules/aedes> \
//        --host 127.0.0.1 --port 1884 [--ready-file <path>]
//
// Started and stopped by scripts/dev-stack.sh (which installs aedes with npm into its cache
// dir and passes that dir as --modules). It exists so integration tests can prove the client
// works against a broker other than mosquitto. State is in memory only: a restart forgets
// sessions and queued messages, by design (mosquitto is the broker with persistence).
//
// Lifecycle: listens until SIGTERM or SIGINT, then closes the listener and the broker and
// exits 0. Any start-up error (module missing, port taken) exits 1 with a message on stderr.
'use strict';

const net = require('net');
const fs = require('fs');
const path = require('path');

function parseArgs(argv) {
  const args = { host: '127.0.0.1', port: 1884, modules: '', readyFile: '' };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`missing value for ${key}`);
    if (key === '--host') args.host = value;
    else if (key === '--port') args.port = Number(value);
    else if (key === '--modules') args.modules = value;
    else if (key === '--ready-file') args.readyFile = value;
    else throw new Error(`unknown option ${key}`);
  }
  if (!Number.isInteger(args.port) || args.port <= 0 || args.port > 65535) {
    throw new Error(`bad --port ${args.port}`);
  }
  if (!args.modules) throw new Error('--modules is required');
  return args;
}

function log(msg) {
  process.stdout.write(`${new Date().toISOString()} aedes-broker: ${msg}\n`);
}

function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`aedes-broker: ${e.message}\n`);
    process.exit(2);
  }

  // The modules dir is outside the repo (a cache), so resolve aedes from there explicitly.
  const aedesPath = require.resolve('aedes', { paths: [path.resolve(args.modules)] });
  const aedesVersion = require(path.join(path.dirname(aedesPath), 'package.json')).version;
  const broker = require(aedesPath)();
  const server = net.createServer(broker.handle);

  broker.on('clientError', (client, err) => {
    log(`client ${client ? client.id : '?'} error: ${err.message}`);
  });
  broker.on('connectionError', (client, err) => {
    log(`connection error: ${err.message}`);
  });

  server.on('error', (err) => {
    process.stderr.write(`aedes-broker: listen ${args.host}:${args.port} failed: ${err.message}\n`);
    process.exit(1);
  });

  server.listen(args.port, args.host, () => {
    log(`aedes ${aedesVersion} listening on ${args.host}:${args.port} (pid ${process.pid})`);
    if (args.readyFile) fs.writeFileSync(args.readyFile, `${process.pid}\n`);
  });

  let stopping = false;
  const stop = (signal) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: closing`);
    // Existing connections would keep server.close() waiting; the broker closes them.
    server.close();
    broker.close(() => process.exit(0));
    // Bounded: never hang on shutdown.
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main();
