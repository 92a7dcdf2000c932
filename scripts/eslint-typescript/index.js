// The TypeScript 6 compiler API, installed in this folder's own node_modules (see package.json).
module.exports = require('typescript');
