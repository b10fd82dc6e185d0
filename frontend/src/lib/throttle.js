/**
 * Runs `fn` at most once every `ms`, on the trailing edge: `schedule()` calls in
 * between fold into one run. `run()` runs it now (and counts as a run).
 */
export class Throttle {
  constructor(ms, fn) {
    this.ms = ms;
    this.fn = fn;
    this.last = 0;
    this.timer = null;
  }

  schedule() {
    if (this.timer) return;
    const wait = Math.max(0, this.ms - (Date.now() - this.last));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.run();
    }, wait);
  }

  run() {
    this.last = Date.now();
    this.fn();
  }

  cancel() {
    clearTimeout(this.timer);
    this.timer = null;
  }
}
