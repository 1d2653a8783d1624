// The ordered B+ tree (sorted-btree) that in-memory key ranges use, imported the same way under every loader.
import BTreeModule from 'sorted-btree';

/**
 * sorted-btree is CommonJS with `exports.default`: Node's ESM loader hands over the whole exports
 * object (the class is its `default`), while bundling loaders (Vite, so Vitest) hand over the class.
 */
const loaded: unknown = BTreeModule;
export const BTree = (typeof loaded === 'function' ? loaded : BTreeModule.default) as typeof BTreeModule.default;
