export * from './catalogue/schema.js';
export { CATALOGUE } from './catalogue/catalogue.js';
export * from './catalogue/load.js';
export * from './trace/results.js';
export * from './trace/matrix.js';
export { matrixToMarkdown, matrixToHtml } from './trace/render.js';
export * from './conformance/conformance.js';
