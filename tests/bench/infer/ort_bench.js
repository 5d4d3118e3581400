// ONNX Runtime (onnxruntime-node, CPU provider) timing for the mldeck
// inference benchmark: node ort_bench.js MODEL INPUT_F32 THREADS WARMUP REPS
// Prints one JSON line: median/min ms, peak RSS of this process, and the RSS
// before the session was created (node's own baseline).
'use strict';
const fs = require('fs');
const path = require('path');
const ort = require(path.join(__dirname, '../../node_modules/onnxruntime-node'));

async function main() {
  const [model, input, threads, warmup, reps] = process.argv.slice(2);
  const baseRss = process.resourceUsage().maxRSS;
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ['cpu'],
    intraOpNumThreads: Number(threads),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const buf = fs.readFileSync(input);
  const data = new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
  const side = Math.round(Math.sqrt(data.length / 3));
  const feeds = {[session.inputNames[0]]: new ort.Tensor('float32', data, [1, 3, side, side])};
  for (let i = 0; i < Number(warmup); i++) await session.run(feeds);
  const times = [];
  for (let i = 0; i < Number(reps); i++) {
    const t0 = process.hrtime.bigint();
    const out = await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (i === 0 && !out[session.outputNames[0]]) throw new Error('no output');
  }
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({
    engine: 'onnxruntime-node ' + (ort.env.versions ? ort.env.versions.common : ''),
    provider: 'cpu',
    threads: Number(threads),
    median_ms: times[Math.floor(times.length / 2)],
    min_ms: times[0],
    peak_rss_kb: process.resourceUsage().maxRSS,
    base_rss_kb: baseRss,
  }));
}
main().catch((e) => { console.error('ort_bench: ' + e.message); process.exit(1); });
