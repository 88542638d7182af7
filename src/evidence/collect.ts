import type { Page, PageCaps } from './ports.js';

/**
 * Drains a paging iterator within its caps. A page flagged `truncated`, or a page beyond `maxPages` (a
 * reader not enforcing the cap), marks the listing incomplete; the extra page is dropped so the cap holds.
 */
export async function collectPages<T>(
  pages: AsyncIterable<Page<T>>,
  caps: PageCaps,
): Promise<{ items: T[]; truncated: boolean; pages: number }> {
  const items: T[] = [];
  let truncated = false;
  let count = 0;
  for await (const page of pages) {
    caps.signal?.throwIfAborted();
    if (count >= caps.maxPages) {
      truncated = true;
      break;
    }
    count++;
    for (const item of page.items) items.push(item);
    if (page.truncated === true) {
      truncated = true;
      break;
    }
  }
  return { items, truncated, pages: count };
}
