import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  formatRate,
  formatSize,
  parseCount,
  parseDuration,
  parseSize,
} from "../../lib/internal.ts";

describe("bench units", () => {
  it("parses sizes in bytes and binary units", () => {
    assert.equal(parseSize("0"), 0);
    assert.equal(parseSize("64"), 64);
    assert.equal(parseSize("64B"), 64);
    assert.equal(parseSize("1KB"), 1024);
    assert.equal(parseSize("1kb"), 1024);
    assert.equal(parseSize("1KiB"), 1024);
    assert.equal(parseSize("1k"), 1024);
    assert.equal(parseSize("64KiB"), 65536);
    assert.equal(parseSize(" 1 MB "), 1048576);
    assert.equal(parseSize("1.5KB"), 1536);
  });

  it("rejects malformed or fractional sizes", () => {
    for (const bad of ["", "KB", "-1", "1XB", "1.3", "0.1KB", "1e3", "5GB"]) {
      assert.throws(() => parseSize(bad), RangeError, bad);
    }
  });

  it("parses counts in decimal units", () => {
    assert.equal(parseCount("1"), 1);
    assert.equal(parseCount("100k"), 100_000);
    assert.equal(parseCount("1M"), 1_000_000);
    assert.equal(parseCount("2.5m"), 2_500_000);
    for (const bad of ["0", "", "x", "1.5", "-3"]) assert.throws(() => parseCount(bad), RangeError);
  });

  it("parses durations to milliseconds, bare numbers as seconds", () => {
    assert.equal(parseDuration("5"), 5000);
    assert.equal(parseDuration("5s"), 5000);
    assert.equal(parseDuration("500ms"), 500);
    assert.equal(parseDuration("1m"), 60_000);
    assert.equal(parseDuration("0.5s"), 500);
    for (const bad of ["0", "0s", "5h", "s"]) assert.throws(() => parseDuration(bad), RangeError);
  });

  it("formats sizes and rates compactly", () => {
    assert.equal(formatSize(1), "1B");
    assert.equal(formatSize(1000), "1000B");
    assert.equal(formatSize(1024), "1KiB");
    assert.equal(formatSize(65536), "64KiB");
    assert.equal(formatSize(1048576), "1MiB");
    assert.equal(formatRate(999), "999");
    assert.equal(formatRate(45_600), "45.6k");
    assert.equal(formatRate(1_234_567), "1.23M");
    assert.equal(formatRate(4.2e9), "4.20G");
  });
});
