// The drafts one page shows, kept from REST lists and live events: last writer wins by
// updatedAt, and a deletion is remembered so that an older list cannot bring the draft back.
// Pure (unit-tested under Node: web/test/draft-book.test.js).

export class DraftBook {
  constructor() {
    /** @type {Map<string, any>} */
    this.drafts = new Map();
    /** @type {Set<string>} */
    this.deleted = new Set();
  }

  /** A DRAFT_* event; returns whether the book changed. */
  applyEvent(event) {
    const payload = event?.payload || {};
    if (event.type === 'DRAFT_DELETED') return this.remove(payload.draftId);
    if (event.type === 'DRAFT_CREATED' || event.type === 'DRAFT_UPDATED') return this.put(payload.draft);
    return false;
  }

  /** A record from an event or a list, kept if newer than what the book has. */
  put(draft) {
    if (!draft || typeof draft.id !== 'string') return false;
    const current = this.drafts.get(draft.id);
    if (current && Number(current.updatedAt) > Number(draft.updatedAt)) return false;
    this.deleted.delete(draft.id);
    this.drafts.set(draft.id, draft);
    return true;
  }

  remove(id) {
    this.deleted.add(id);
    return this.drafts.delete(id);
  }

  /** A REST list taken while events may have arrived: merged, deletions win. */
  merge(list) {
    let changed = false;
    for (const draft of list || []) if (!this.deleted.has(draft.id)) changed = this.put(draft) || changed;
    return changed;
  }

  /** After RESYNC_REQUIRED the server's list is the whole truth. */
  replace(list) {
    this.drafts.clear();
    this.deleted.clear();
    for (const draft of list || []) this.put(draft);
  }

  /** Newest first, as the REST list. */
  sorted() {
    return [...this.drafts.values()].sort((a, b) => Number(b.updatedAt) - Number(a.updatedAt) || (a.id < b.id ? -1 : 1));
  }
}
