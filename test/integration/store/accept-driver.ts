/** Child process of concurrent-accept.test.ts: waits for the common start, then registers its documents. */
import { openStore } from '../../../main/store/index.js';

const [home, startAt, ...ids] = process.argv.slice(2);
const store = openStore(home!);
while (Date.now() < Number(startAt)) {
  // Spin until the shared start time so the processes' transactions overlap.
}
// One registration moment for every process: the numbers run 1..N in one year even if the
// run straddles New Year in Vietnam.
for (const id of ids) store.incoming.accept(id, new Date(Number(startAt)));
store.close();
