// One user's writes in flight and what each of its devices received — the k6 twin of
// archibald-load's delivery_tracker (src/load/delivery_tracker.cpp), with the same rules:
// a write is expected on every device attached when it left (a dropped device stays attached:
// it resumes with lastSeq), a refused write expects nothing, an expected delivery still missing
// `timeout` after the write left is lost, a second copy on one device is a duplicate.
// Pure: no k6, no clock of its own (times are passed in, in ms), so Node tests drive it.

export class DeliveryLedger {
  constructor(devices) {
    this.devices = Array.from({ length: devices }, () => ({
      attached: false, lastSeq: null, lastKey: -Infinity,
    }));
    this.window = []; // writes in key order: {key, intended, sent, expected:Set, received:Set, writer}
    this.totals = { deliveries: 0, lost: 0, duplicated: 0, late: 0, reordered: 0, seqGaps: 0 };
  }

  attach(device) {
    this.devices[device].attached = true;
  }

  // A write left at `sent` (ms), meant for `intended`; keys are unique and increasing.
  writeSent(key, intended, sent, writer) {
    const expected = new Set();
    this.devices.forEach((d, i) => { if (d.attached) expected.add(i); });
    this.window.push({ key, intended, sent, expected, received: new Set(), writer });
  }

  // The server refused it or never answered: its event is not expected anywhere.
  writeFailed(key) {
    const w = this.find(key);
    if (w) w.expected.clear();
  }

  // An event of a load write reached `device` at `now`. When this delivery is a sample (an
  // expected first copy on a device other than the writer's) returns its end-to-end latency
  // in ms, {intended: from the intended send, sent: from the actual send}; else null.
  received(device, key, seq, now) {
    const d = this.devices[device];
    if (seq !== null && seq !== undefined) {
      if (d.lastSeq !== null && seq > d.lastSeq + 1) this.totals.seqGaps += seq - d.lastSeq - 1;
      if (d.lastSeq === null || seq > d.lastSeq) d.lastSeq = seq;
    }
    const w = this.find(key);
    if (!w) {
      // Older than the window: counted lost at its timeout; newer than any write: not ours.
      if (this.window.length && key < this.window[0].key) this.totals.late += 1;
      return null;
    }
    if (w.received.has(device)) {
      this.totals.duplicated += 1;
      return null;
    }
    w.received.add(device);
    if (key < d.lastKey) this.totals.reordered += 1;
    d.lastKey = Math.max(d.lastKey, key);
    if (!w.expected.has(device)) return null;
    this.totals.deliveries += 1;
    const ownCopy = w.writer === device && this.devices.length > 1;
    return ownCopy ? null : { intended: now - w.intended, sent: now - w.sent };
  }

  // Writes that left more than `timeoutMs` before `now` leave the window; what they missed is
  // lost. Returns how many deliveries were lost by this call.
  expire(now, timeoutMs) {
    let lost = 0;
    while (this.window.length && now - this.window[0].sent > timeoutMs) {
      lost += this.missing(this.window.shift());
    }
    this.totals.lost += lost;
    return lost;
  }

  expireAll() {
    const lost = this.window.reduce((n, w) => n + this.missing(w), 0);
    this.window = [];
    this.totals.lost += lost;
    return lost;
  }

  // Writes whose expected deliveries are not all in.
  incomplete() {
    return this.window.filter((w) => this.missing(w) > 0).length;
  }

  lastSeq(device) {
    return this.devices[device].lastSeq;
  }

  missing(w) {
    let n = 0;
    for (const d of w.expected) if (!w.received.has(d)) n += 1;
    return n;
  }

  find(key) {
    let lo = 0;
    let hi = this.window.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.window[mid].key < key) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.window.length && this.window[lo].key === key ? this.window[lo] : null;
  }
}
