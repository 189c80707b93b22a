/**
 * Whether a save that found its target taken may replace it without asking again: only when
 * the native save dialog already asked (Windows and macOS always do; Linux does because the
 * shell asks for showOverwriteConfirmation) and the file Kyso would write is exactly the one
 * the user confirmed. Kyso cleans a typed name and gives it the file's real extension, so the
 * file it writes can be another one, which nobody confirmed: the page then asks.
 */
export function replaceConfirmed(confirmedByNativeDialog: boolean, chosenPath: string, wouldWrite: unknown): boolean {
  return confirmedByNativeDialog && typeof wouldWrite === 'string' && wouldWrite === chosenPath;
}
