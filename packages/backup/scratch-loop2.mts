import { localDestination, postgresSource, runBackup } from './src/index.ts';
import { rm } from 'node:fs/promises';
let bad = 0;
for (let i = 0; i < 60; i++) {
  const e: any = await runBackup({ source: postgresSource({ url: 'postgres://postgres@127.0.0.1:5432/kw_loop2' }), destination: localDestination({ directory: '/tmp/kwloop2' }), options: { progressIntervalMs: 250 }, onProgress: () => {} }).then(() => undefined, (x) => x);
  if (e) { bad++; console.log(i, e.message); }
}
console.log('bad', bad);
await rm('/tmp/kwloop2', { recursive: true, force: true });
