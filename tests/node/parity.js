// Loads a packed index the way the browser does (site_templates/static/search.js with lunr from
// node_modules) and prints, as JSON, lunr.js's serialisation of it and the results of each query.
//
//   node tests/node/parity.js INDEX_JSON QUERIES_JSON
'use strict';
const fs = require('fs');
const path = require('path');
const lunr = require('lunr');
const search = require(path.join(__dirname, '..', '..', 'site_templates', 'static', 'search.js'));

const packed = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const queries = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
const index = search.unpack(lunr, packed);
const results = {};
for (const query of queries) results[query] = search.search(lunr, index, query);
// Scores are rounded like Python's round(x, 3); exact ties (odd sixteenths) go to the even neighbour.
const rounding = [0.0625, 0.1875, 1.0625, 2.3125, 7.9375, 1.0005, 2.675, 0.1234567, 38.8815];
process.stdout.write(JSON.stringify({
  lunrVersion: lunr.version, serialised: index.toJSON(), results, rounding: rounding.map(search.round3),
}));
