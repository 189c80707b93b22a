/** Answering the PIN dialog of a signing job (a token is logged out after each job: issue 15.10). */
import type { Page } from 'playwright-core';

/** Waits for the PIN dialog, enters `pin`, and waits for the dialog to close. */
export async function answerPin(page: Page, pin: string): Promise<void> {
  const dialog = page.getByTestId('pin-dialog');
  await dialog.waitFor({ timeout: 30_000 });
  await page.getByTestId('pin-input').fill(pin);
  await page.getByTestId('pin-ok').click();
  await dialog.waitFor({ state: 'detached' });
}
