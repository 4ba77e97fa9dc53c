// @ts-check
'use strict';
/**
 * `import()` for the worker side (an ES module task module), in a file of its own that Node's
 * CommonJS loader compiles. The bundle (dist/worker/thread.js) is compiled through `vm.Script` (see
 * bootstrap.cjs), where Node 20 gives `import()` no loader once the script comes from its code
 * cache (`ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING`), and the main context's loader
 * (`vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER`) prints an experimental warning. Plain JavaScript,
 * so that no compiler rewrites the `import()` into `require()`; loaded on a thread's first `import()`.
 * @param {string} specifier
 * @returns {Promise<unknown>}
 */
module.exports = (specifier) => import(specifier);
