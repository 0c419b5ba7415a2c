// Loads the compiled addon (build/Release/ergo_native.node). Throws if it was not built;
// ergo's loader (src/linalg/native.ts) turns that into "native backend unavailable".
'use strict';
module.exports = require('./build/Release/ergo_native.node');
