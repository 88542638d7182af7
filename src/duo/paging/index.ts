export {
  pageIterator,
  collectAll,
  clampPageSize,
  type Page,
  type PageIterator,
  type PagingCaps,
  type PagingState,
  type FetchPage,
} from './page-iterator.js';
export { nextV1Offset, parseAuthLogCursor, nextMintime, type AuthLogCursor } from './cursors.js';
