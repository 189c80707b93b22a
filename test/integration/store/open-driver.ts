/** Child process of concurrent-accept.test.ts: opens (and so migrates) a home at the common start. */
import { openStore } from '../../../main/store/index.js';

const [home, startAt] = process.argv.slice(2);
while (Date.now() < Number(startAt)) {
  // Spin until the shared start time so the processes' migrations overlap.
}
openStore(home!).close();
