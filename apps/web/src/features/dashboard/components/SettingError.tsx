import { errorMessage } from '../../../lib/api-client';

/** The server's refusal of a setting, under its form (announced). */
export function SettingError({ error }: { error: unknown }) {
  return error ? (
    <p className="error" role="alert">
      {errorMessage(error)}
    </p>
  ) : null;
}
