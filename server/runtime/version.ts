/**
 * The kit's version, for `/widget.js?v=…` on Workers (the Node entry reads package.json). A constant
 * and not a JSON import: bundling package.json put all of it into every Worker.
 * test/package/worker-bundle.test.ts keeps it equal to package.json's.
 */
export const VERSION = '0.1.0'
