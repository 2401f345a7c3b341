export { compileSelector, type Labels, type Selector } from './matcher.js';
export { SelectorError } from './lexer.js';
export { parseSelector, type Node as SelectorNode } from './parser.js';
