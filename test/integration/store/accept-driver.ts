/** Child process of concurrent-accept.test.ts: waits for the common start, then registers its documents. */
import { openStore } from '../../../main/store/index.js';

const [home, startAt, ...ids] = process.argv.slice(2);
const store = openStore(home!);
while (Date.now() < Number(startAt)) {
  // Spin until the shared start time so the processes' transactions overlap.
}
for (const id of ids) store.incoming.accept(id);
store.close();
