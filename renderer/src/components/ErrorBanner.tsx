/** Shows a failed envelope's localized message with its stable code. */
import type { ErrorPayload } from '../../../main/api/index.js';

/** An alert region for one error (screen readers announce it). */
export function ErrorBanner({ error }: { error: ErrorPayload | null | undefined }) {
  if (!error) return null;
  return (
    <div role="alert" className="error-banner" data-code={error.code}>
      {error.message}
    </div>
  );
}
