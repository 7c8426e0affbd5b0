import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { defaultConfigDir, resolveFilterArg } from '../../src/cli/filterArg.js';
import type { MatchWorkerData } from '../../src/cli/regexPipeline.js';

const WORKER = new URL('../../src/cli/matchWorker.js', import.meta.url);

test('a match worker that fails frees every shared block at once (the reader must not wait for it)', async () => {
  const control = new Int32Array(new SharedArrayBuffer(4));
  const w = new Worker(WORKER);
  try {
    const init: MatchWorkerData = {
      spec: resolveFilterArg('sshd', defaultConfigDir()).spec, useDns: 'no', rawHosts: false, now: 1700000000, lineTimeout: 500, control,
    };
    w.postMessage({ init });
    const failed = new Promise<Error>((resolve) => w.once('error', resolve));
    // a batch that names a text it does not carry: the worker cannot read it and goes down
    const nums = new Float64Array(8);
    w.postMessage({ texts: [], blocks: [], nums, count: 1 });
    const e = await failed;
    assert.match(String(e), /TypeError/);
    // the count of finished batches jumps past anything a reader sends
    assert.ok(Atomics.load(control, 0) >= 0x3fffffff, String(Atomics.load(control, 0)));
  } finally {
    await w.terminate();
  }
});
