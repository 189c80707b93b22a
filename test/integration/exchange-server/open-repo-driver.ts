/** Child process of migrations.test.ts: opens (and so migrates) a server database at the common start. */
import { openRepo } from '../../../server/store.js';

const [dataDir, choice, startAt] = process.argv.slice(2);
while (Date.now() < Number(startAt)) {
  // Spin until the shared start time so the processes' migrations overlap.
}
const repo = await openRepo(dataDir!, JSON.parse(choice!) as object);
await repo.db.close();
