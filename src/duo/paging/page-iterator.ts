/** One page as a job sees it: the items, and the cursor to resume from after them (null: nothing more). */
export interface Page<T, C> {
  items: T[];
  /** 1-based. */
  pageNumber: number;
  next: C | null;
}

export interface PagingCaps {
  /** Stop after this many pages and report `truncated` (the compliance specification caps users at 100 × 300). */
  maxPages?: number;
  /** Page size to ask for; clamped to the endpoint's maximum (docs/duo-wire.md §4). */
  pageSize?: number;
}

export interface PagingState<C> {
  pages: number;
  items: number;
  /** True when a cap stopped the walk while Duo still had more. */
  truncated: boolean;
  done: boolean;
  /** Where a later walk would resume (checkpoint this). */
  next: C | null;
}

/** An async iterator of pages with live state, so a job can checkpoint per page and stop early (docs/conventions.md §7). */
export interface PageIterator<T, C> extends AsyncIterable<Page<T, C>> {
  readonly state: PagingState<C>;
}

export type FetchPage<T, C> = (cursor: C | null) => Promise<{ items: T[]; next: C | null }>;

export function pageIterator<T, C>(
  fetch: FetchPage<T, C>,
  start: C | null,
  maxPages: number,
): PageIterator<T, C> {
  const state: PagingState<C> = { pages: 0, items: 0, truncated: false, done: false, next: start };
  return {
    state,
    async *[Symbol.asyncIterator]() {
      let cursor = start;
      while (!state.done) {
        if (state.pages >= maxPages) {
          state.truncated = true;
          state.done = true;
          return;
        }
        const page = await fetch(cursor);
        state.pages += 1;
        state.items += page.items.length;
        state.next = page.next;
        if (page.next === null) state.done = true;
        cursor = page.next;
        yield { items: page.items, pageNumber: state.pages, next: page.next };
      }
    },
  };
}

/** Every item of every page (within the caps) plus whether a cap cut the walk short. */
export async function collectAll<T, C>(
  iterator: PageIterator<T, C>,
): Promise<{ items: T[]; truncated: boolean; next: C | null }> {
  const items: T[] = [];
  for await (const page of iterator) items.push(...page.items);
  return { items, truncated: iterator.state.truncated, next: iterator.state.next };
}

export function clampPageSize(requested: number | undefined, fallback: number, max: number): number {
  const n = requested ?? fallback;
  return Math.max(1, Math.min(max, Math.floor(n)));
}
