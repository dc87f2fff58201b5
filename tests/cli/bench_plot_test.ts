// SPDX-License-Identifier: MIT
// cli/bench_plot.ts: the SVG of `bench run --plot` is well-formed, standalone, has every
// measured number in it as the table prints it, and escapes its text.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { benchSvg, escapeXml, niceTicks, type SweepRow } from "../../cli/bench_plot.ts";
import { parseSvg, parseXml, texts } from "./_svg.ts";

const ROWS: SweepRow[] = [
  {
    size: 1,
    thr: { msgsPerSec: 161465.4, bytesPerSec: 161465.4 },
    lat: {
      avg: 48.2461,
      p50: 23.9494,
      p99: 390.7831,
      roundTrips: 2000,
      histogram: [{ from: 10, to: 20, count: 13 }, { from: 20, to: 50, count: 1987 }],
    },
  },
  {
    size: 64,
    thr: { msgsPerSec: 302966.2, bytesPerSec: 302966.2 * 64 },
    lat: {
      avg: 43.1357,
      p50: 35.928,
      p99: 244.5129,
      roundTrips: 2000,
      histogram: [{ from: 20, to: 50, count: 1800 }, { from: 50, to: 100, count: 200 }],
    },
  },
  {
    size: 65536,
    thr: { msgsPerSec: 19948.1, bytesPerSec: 19948.1 * 65536 },
    lat: {
      avg: 147.77,
      p50: 105.2121,
      p99: 360.7511,
      roundTrips: 2000,
      histogram: [{ from: 100, to: 200, count: 2000 }],
    },
  },
];

const info = { title: "zmqkit bench run all (tcp, push-pull, req-rep)" };

describe("benchSvg", () => {
  it("is a well-formed standalone SVG with a fixed size", () => {
    const svg = benchSvg(ROWS, info);
    const root = parseSvg(svg);
    assert.equal(root.attributes.width, "960");
    assert.match(root.attributes.height!, /^\d+$/);
    assert.equal(root.attributes.viewBox, `0 0 960 ${root.attributes.height}`);
    assert.doesNotMatch(svg, /<script|<foreignObject|@import|@font-face|href=|url\(/i);
    // the same rows, the same size
    assert.equal(
      parseSvg(benchSvg(ROWS, { title: "x" })).attributes.height,
      root.attributes.height,
    );
  });

  it("labels every measured value as the table prints it", () => {
    const labels = texts(parseSvg(benchSvg(ROWS, info)));
    const all = labels.join("\n");
    for (const r of ROWS) {
      assert.ok(labels.includes(`${r.thr!.msgsPerSec.toFixed(0)} msg/s`), `${r.size}: ${all}`);
      assert.ok(labels.includes(`${(r.thr!.bytesPerSec / 1e6).toFixed(3)} MB/s`), all);
      for (const v of [r.lat!.avg, r.lat!.p50, r.lat!.p99]) {
        assert.ok(all.includes(`${v.toFixed(3)} µs`), `${v}: ${all}`);
      }
    }
    for (const size of ["1B", "64B", "64KiB"]) assert.ok(labels.includes(size), all);
    for (const bucket of ["10–20", "20–50", "50–100", "100–200"]) {
      assert.ok(labels.includes(bucket), all);
    }
    assert.ok(labels.includes("1987"), "bar counts are labelled");
  });

  it("escapes < & > and quotes in every text", () => {
    const title = `a<b & c>"d" 'e' </text><script>x</script>`;
    const svg = benchSvg(ROWS, { title, subtitle: "p50 < p99 & more" });
    assert.ok(!svg.includes("<b "), svg.slice(0, 400));
    assert.ok(!svg.includes("<script"));
    assert.ok(svg.includes("a&lt;b &amp; c&gt;&quot;d&quot; &apos;e&apos;"));
    const root = parseSvg(svg);
    assert.equal(texts(root, "title")[0], title);
    assert.ok(texts(root).includes(title));
    assert.ok(texts(root).includes("p50 < p99 & more"));
    assert.equal(escapeXml(`<&>"'`), "&lt;&amp;&gt;&quot;&apos;");
  });

  it("draws throughput alone, latency alone, partial and empty sweeps", () => {
    const thrOnly = ROWS.map((r) => ({ size: r.size, thr: r.thr }));
    const latOnly = ROWS.map((r) => ({ size: r.size, lat: r.lat }));
    const one = texts(parseSvg(benchSvg([{ ...ROWS[0]!, partial: true }], info)));
    assert.ok(one.includes("161465 msg/s (interrupted)"), one.join("\n"));
    const t = texts(parseSvg(benchSvg(thrOnly, info))).join("\n");
    assert.doesNotMatch(t, /latency/i);
    const l = texts(parseSvg(benchSvg(latOnly, info))).join("\n");
    assert.doesNotMatch(l, /msg\/s/);
    assert.match(l, /avg 43\.136 µs/);
    assert.ok(texts(parseSvg(benchSvg([], info))).includes("nothing was measured"));
    // a rate that could not be computed is left out, not drawn as NaN
    const nan = benchSvg([{ size: 64, thr: { msgsPerSec: NaN, bytesPerSec: NaN } }], info);
    parseSvg(nan);
    assert.doesNotMatch(nan, /NaN|Infinity/);
  });

  it("niceTicks covers the maximum in 1-2-5 steps", () => {
    assert.deepEqual(niceTicks(302966), [0, 100000, 200000, 300000, 400000]);
    assert.deepEqual(niceTicks(100), [0, 20, 40, 60, 80, 100]);
    assert.deepEqual(niceTicks(0), [0, 1]);
  });
});

describe("the well-formedness check itself", () => {
  it("rejects what is not XML", () => {
    for (
      const bad of [
        "<svg><g></svg>",
        "<svg></g></svg>",
        "<svg>a & b</svg>",
        "<svg>a < b</svg>",
        `<svg x="1" x="2"/>`,
        `<svg x="a<b"/>`,
        "<svg/><svg/>",
        "<svg>",
        "text",
      ]
    ) {
      assert.throws(() => parseXml(bad), Error, bad);
    }
    assert.throws(() => parseSvg(`<svg/>`), /xmlns/);
    assert.equal(parseXml(`<?xml version="1.0"?>\n<a b='1'><!-- c --><d/>&amp;</a>\n`).name, "a");
  });
});
