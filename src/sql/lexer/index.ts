// Public surface of the SQL lexer.
export { Tk, type Token, type TkKind } from './token.js';
export { Lexer, tokenize, SERVER_VERSION_ID } from './lexer.js';
export { RESERVED, CHARSETS, isReserved } from './keywords.js';
export { syntaxError, emptyQueryError } from './errors.js';
