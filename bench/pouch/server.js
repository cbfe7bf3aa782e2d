// A PouchDB server with its data in memory, for the sync bench only:
// express-pouchdb (CouchDB's HTTP API) over the in-memory adapter.
//
//   node bench/pouch/server.js PORT
//
// Listens on 127.0.0.1 only. Modules come from bench/.work/pouch
// (installed there by bench/push.py), found through NODE_PATH.
'use strict';

const express = require('express');
const PouchDB = require('pouchdb-core')
  .plugin(require('pouchdb-adapter-memory'))
  .plugin(require('pouchdb-adapter-http'))
  .plugin(require('pouchdb-mapreduce'))
  .plugin(require('pouchdb-replication'));

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: node server.js PORT');
  process.exit(2);
}

const InMemory = PouchDB.defaults({adapter: 'memory'});
const app = express();
// No config or log file on disk: the server keeps nothing.
app.use('/', require('express-pouchdb')(InMemory, {
  mode: 'minimumForPouchDB',
  inMemoryConfig: true,
}));
app.listen(port, '127.0.0.1', () => console.log(`listening on ${port}`));
