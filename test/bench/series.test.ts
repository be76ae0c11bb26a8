/**
 * The soak's growth verdict: a slope read from one-second samples of a tree whose workers come and go.
 * Series are generated with a seeded generator (so the test is repeatable) in the soak's shape: a level
 * that jumps by up to ±150 MB and holds for tens of seconds, as a worker is started, grows and is killed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { growthVerdict, slope, slopeOfGroupMeans, slopeWithInterval } from '../../bench/lib/series.js';

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Per-second samples over `hours`, trend `mbPerHour`, with held jumps of up to ±`swingMb`. */
function soakLike(hours: number, mbPerHour: number, swingMb: number, seed: number): { t: number[]; mb: number[] } {
  const random = seeded(seed);
  const t: number[] = [];
  const mb: number[] = [];
  let level = 0;
  let holdUntil = 0;
  for (let s = 0; s < hours * 3600; s++) {
    if (s >= holdUntil) {
      level = (random() * 2 - 1) * swingMb;
      holdUntil = s + 10 + Math.floor(random() * 50);
    }
    t.push(s);
    mb.push(350 + (mbPerHour * s) / 3600 + level);
  }
  return { t, mb };
}

test('95% intervals from binned samples hold the true slope about 95% of the time, flat or leaking', () => {
  for (const trend of [0, 40]) {
    let held = 0;
    const runs = 100;
    for (let seed = 1; seed <= runs; seed++) {
      const { t, mb } = soakLike(2, trend, 150, seed * 7919);
      const estimate = slopeWithInterval(t, mb);
      if (Math.abs(estimate.perHour - trend) < estimate.halfWidth95) held++;
    }
    assert.ok(held >= 88 && held <= 99, `trend ${trend}: held ${held} of ${runs}`);
  }
});

test('a flat tree with large swings is never called growing; a 40 MB/hour leak is never called met', () => {
  for (let seed = 1; seed <= 30; seed++) {
    const flat = soakLike(1, 0, 150, seed * 7919);
    assert.doesNotMatch(growthVerdict(slopeWithInterval(flat.t, flat.mb), 5), /NOT met/);
    const leak = soakLike(2, 40, 150, seed * 7919);
    assert.doesNotMatch(growthVerdict(slopeWithInterval(leak.t, leak.mb), 5), /hour met$/);
  }
  const { t, mb } = soakLike(4, 40, 150, 11);
  assert.match(growthVerdict(slopeWithInterval(t, mb), 5), /NOT met$/);
});

test('the interval from binned samples is wider than one that treats correlated seconds as independent', () => {
  const { t, mb } = soakLike(1, 0, 150, 7 * 7919);
  const binned = slopeWithInterval(t, mb);
  const perSecond = slopeWithInterval(t, mb, 1);
  assert.equal(perSecond.bins, 3600);
  assert.ok(binned.halfWidth95 > 3 * perSecond.halfWidth95, `${binned.halfWidth95} vs ${perSecond.halfWidth95}`);
});

test('a quiet flat series is shown to grow less than 5 MB/hour; the estimate matches the plain least-squares slope', () => {
  const { t, mb } = soakLike(1, 0, 2, 8 * 7919);
  const estimate = slopeWithInterval(t, mb);
  assert.match(growthVerdict(estimate, 5), /: goal growth < 5 MB\/hour met$/);
  assert.ok(Math.abs(estimate.perHour - slope(t, mb) * 3600) < 1, `${estimate.perHour} vs ${slope(t, mb) * 3600}`);
});

test('too few bins give no interval and no claim', () => {
  const estimate = slopeWithInterval([0, 30, 121, 150], [100, 100, 101, 101]);
  assert.equal(estimate.bins, 2);
  assert.equal(estimate.halfWidth95, Number.POSITIVE_INFINITY);
  assert.match(growthVerdict(estimate, 5), /not judged$/);
});

/**
 * A deed book made of the same 140 pages again and again, read at ~4.5 s a page: each page has its own
 * tree RSS (its tesseract's size), the same on every pass, plus a little noise and the trend.
 */
function bookLike(passes: number, mbPerHour: number, seed: number): { t: number[]; mb: number[]; page: number[] } {
  const random = seeded(seed);
  const pageCost = Array.from({ length: 140 }, () => 280 + random() * 140);
  const t: number[] = [];
  const mb: number[] = [];
  const page: number[] = [];
  let second = 0;
  for (let p = 0; p < passes * 140; p++) {
    const seconds = 3 + Math.floor(random() * 4);
    for (let k = 0; k < seconds; k++, second++) {
      t.push(second);
      mb.push(pageCost[p % 140]! + (mbPerHour * second) / 3600 + (random() * 2 - 1) * 5);
      page.push(p);
    }
  }
  return { t, mb, page };
}

test('means of whole passes over the same pages show a flat book flat, and a leaking one leaking', () => {
  const passOf = (page: number[]) => (i: number) => {
    const pass = Math.floor(page[i]! / 140);
    return pass >= 1 ? pass : undefined; // the first pass holds the warm-up
  };
  const flat = bookLike(7, 0, 11);
  const byPass = slopeOfGroupMeans(flat.t, flat.mb, passOf(flat.page), 'one pass');
  assert.equal(byPass.bins, 6);
  assert.match(growthVerdict(byPass, 5), /fitted to 6 means of one pass\): goal growth < 5 MB\/hour met$/);
  // Two-minute means mix dear and cheap pages in changing proportions: the same series shows nothing.
  const secondHalf = flat.t.findIndex((second) => second >= flat.t.at(-1)! / 2);
  const byTime = slopeWithInterval(flat.t.slice(secondHalf), flat.mb.slice(secondHalf));
  assert.ok(byTime.halfWidth95 > 3 * byPass.halfWidth95, `${byTime.halfWidth95} vs ${byPass.halfWidth95}`);

  const leak = bookLike(7, 20, 12);
  assert.match(growthVerdict(slopeOfGroupMeans(leak.t, leak.mb, passOf(leak.page), 'one pass'), 5), /NOT met$/);
});
